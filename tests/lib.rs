//! Behaviour and property tests, compiled as one binary: one module per area.

mod support;

mod adjustments;
mod bonuses;
mod catalogue;
mod config;
mod earn_rules;
mod edges;
mod events;
mod exactly_once;
mod expiry;
mod fuzz_decoders;
mod invariants;
mod memberships;
mod metrics;
mod model;
mod purchases;
mod reads;
mod referrals;
mod refunds;
mod rewards;
mod scenario_files;
mod testing_kit;
mod tier_properties;
mod tiers;
