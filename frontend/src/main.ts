import "./components/virtio-viz/virtio-viz";
