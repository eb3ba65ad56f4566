// Installs the Debian packages that the test suite needs when they are
// missing (as root, with apt-get), or says which are missing otherwise.
//
//   iproute2        ip netns / ip link: kernel tests in network namespaces
//   chromium        browser tests (driven by playwright-core; never downloaded)
//   tshark          checks that written captures open in Wireshark
//   nftables        nft: nfnetlink tests create tables
//   conntrack       conntrack: entries for the conntrack tests
//   libmnl-dev      the C reference programs of the benchmarks
//   nats-server     the JetStream sink's tests
import { execFileSync } from 'node:child_process';

const PACKAGES = {
  iproute2: 'ip',
  chromium: 'chromium',
  tshark: 'tshark',
  nftables: 'nft',
  conntrack: 'conntrack',
  'libmnl-dev': null, // a header: checked through dpkg
  'nats-server': 'nats-server',
};

function has(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function installed(pkg) {
  try {
    const out = execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.includes('install ok installed');
  } catch {
    return false;
  }
}

const missing = Object.entries(PACKAGES)
  .filter(([pkg, command]) => (command ? !has(command) : !installed(pkg)))
  .map(([pkg]) => pkg);

if (missing.length === 0) process.exit(0);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root || !has('apt-get')) {
  console.warn(`system packages missing: ${missing.join(' ')}; tests that need them will say so (install them with apt-get)`);
  process.exit(0);
}
console.log(`installing system packages: ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
