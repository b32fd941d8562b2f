//! TensorFlow V2 checkpoint (tensor bundle) and safetensors reading and writing.
