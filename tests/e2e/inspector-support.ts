/**
 * Shared by the inspector's browser tests: the machine the dev route at /dev/inspector runs, so
 * the tests compute their expectations from the same definition the page draws.
 */
export { sampleMachine as inspectedMachine } from '../unit/inspector-sample-machine';
