// Inline SVG icons (see Icon.svelte): import `Icon` and name the icon.
export { default as Icon } from "./Icon.svelte";
export type { IconName } from "./Icon.svelte";
