// Names derived from a spec's kebab-case names.
//
//   spec name       'ifla-info-kind' / 'linkinfo'
//   object key      'iflaInfoKind'   / 'linkinfo'   (camelCase, what decode returns)
//   C name          prefix + name, upper case, '-' → '_': 'IFLA_LINKINFO'

/** The object key of a spec name: camelCase ('ifi-family' → 'ifiFamily'). */
export function keyOf(name: string): string {
  return name.replace(/[-_.]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[-_.]/g, '');
}

/** The C constant of a spec name with its prefix ('ifla-', 'mtu' → 'IFLA_MTU'). */
export function cNameOf(prefix: string | undefined, name: string): string {
  return `${prefix ?? ''}${name}`.toUpperCase().replace(/[-.]/g, '_');
}
