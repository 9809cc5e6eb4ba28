"""The observation layer: what is where in each frame (colour keying, components, tracks)."""
