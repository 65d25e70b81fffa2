/** @cornerstonejs/codec-openjpeg ships no types: its decoder's Emscripten module factory. */
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: unknown;
  export default factory;
}
