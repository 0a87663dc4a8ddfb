// The element as one module (vite.element.config.ts): what an HTML export inlines, a
// static-site export copies and other sites load from /virtio-viz.js.
import "./boot";
import "./components/virtio-viz/virtio-viz";
