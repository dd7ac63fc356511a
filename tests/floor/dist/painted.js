// Two frames after load the blank page is on the glass.
requestAnimationFrame(() =>
  requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("painted", { what: "blank-painted" })),
);
