// Imported first by the entry, so this runs before the rest of the bundle is evaluated:
// a live page's socket opens while the element's code runs (store/early-socket.ts).
import { startEarly } from "./components/virtio-viz/early-start";

startEarly(document);
