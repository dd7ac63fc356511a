import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The UI is loaded from the app bundle (tauri://localhost); no dev server in
// release builds, and no remote origins anywhere.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: { outDir: "dist", emptyOutDir: true, target: "safari15", sourcemap: false },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
