//! Neural-network building blocks: parameters, layers, blocks and whole networks.

pub mod blocks;
pub mod layers;
pub mod nets;
pub mod params;

pub use params::ParamStore;
