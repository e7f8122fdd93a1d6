"""Label Studio integration: labeling config, format conversion, server workflow."""
