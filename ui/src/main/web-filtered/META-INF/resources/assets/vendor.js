// The console's libraries, from their WebJars; the versions are the ui module's pom's.
export { html, render, nothing, svg } from '/webjars/lit-html/@lit-html.version@/lit-html.js';
export { repeat } from '/webjars/lit-html/@lit-html.version@/directives/repeat.js';
export { live } from '/webjars/lit-html/@lit-html.version@/directives/live.js';
export { default as uPlot } from '/webjars/uplot/@uplot.version@/dist/uPlot.esm.js';
export const UPLOT_CSS = '/webjars/uplot/@uplot.version@/dist/uPlot.min.css';
