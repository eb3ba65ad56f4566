// A registry holding every family schema nlkit ships.

import { allFamilySpecs } from '../families/generated/index.js';
import { SchemaRegistry } from './registry.js';

let registry: SchemaRegistry | null = null;

/** The shared registry of all shipped families (built on first use). */
export function defaultRegistry(): SchemaRegistry {
  registry ??= new SchemaRegistry(allFamilySpecs);
  return registry;
}
