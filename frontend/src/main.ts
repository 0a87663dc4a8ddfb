import "./boot"; // first: it opens a live page's socket before the rest runs
import "./components/virtio-viz/virtio-viz";
