export * from './ctrl.js';
export { GenericFamily, genlFamily, resolverOf, type GenlEvent } from './family.js';
