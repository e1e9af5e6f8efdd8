//! Inference helpers: running a trained network over inputs too large for one forward pass.
//!
//! [`SlidingWindow`] tiles 2-D `(N, C, H, W)` and 3-D `(N, C, D, H, W)` inputs into overlapping
//! windows, runs the network on batches of windows and blends the window outputs back into a
//! whole-image prediction, like MONAI's `sliding_window_inference`.

pub mod sliding_window;

pub use sliding_window::{Blend, SlidingWindow, window_starts};
