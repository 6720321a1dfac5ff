// Compiles contracts/ once before any test file runs, so parallel test files read the
// content-hash cache instead of each running solc. (Filled in by the compile module.)
export default async function setup(): Promise<void> {}
