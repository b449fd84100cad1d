// Node-side tests talk to real local servers; give slow starts (Prometheus, the simulator) room.
jest.setTimeout(60_000);
