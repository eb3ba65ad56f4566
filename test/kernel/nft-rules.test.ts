// `nlkit nft list ruleset` against `nft -y list ruleset` (numeric priorities),
// line by line, on a ruleset nft itself loads into a namespace of the test.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { runCommands } from '../helpers/cli.js';
import { nftCommand } from '../../src/cli/families/nft.js';
import { openSocket } from '../../src/socket/open.js';
import { listSetElements } from '../../src/families/nfnetlink/nftables.js';

// Every form the renderer supports: ip, ip6, inet, bridge tables; base and
// regular chains; named sets (plain, interval, several key types) with
// elements; anonymous sets; counters; jumps and gotos; ct state/status/mark;
// meta keys; payload matches with prefixes, ranges, flags and negation; log,
// limit, quota, reject, notrack, fib; nat, masquerade and redirect; comments
// on tables, chains, rules and sets; set options (size, policy, auto-merge,
// timeouts, counters) and element timeouts; tproxy; TCP and IPv4 options and
// IPv6 extension headers; socket; ct helper and ct expectation objects.
const RULESET = `
table ip filt {
	set peers { type ipv4_addr; elements = { 10.0.0.2, 10.0.0.1 }; }
	set ports { type inet_service; flags interval; elements = { 1000-2000, 3000 }; }
	set many { type inet_service; elements = { 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }; }
	set addrs { type ipv4_addr; elements = { 1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5 }; }
	set marks { type mark; elements = { 1, 2, 3, 4, 5, 6 }; }
	set ifs { type ifname; elements = { "lo", "eth0" }; }
	set empty { type ipv4_addr; }
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		ct state invalid drop
		iifname "lo" accept
		ip saddr 10.0.0.1 counter accept
		ip daddr @peers drop
		ip saddr 10.1.0.0/16 tcp dport 22 accept
		tcp dport { 22, 80, 443 } counter accept
		tcp dport 1000-2000 drop
		udp dport != 53 drop
		meta l4proto icmp accept
		ip protocol tcp jump other
		meta mark 0x00000001 goto other
		tcp flags syn limit rate 10/second accept
		log prefix "drop: " drop
		meta mark @marks accept
		iifname @ifs accept
		tcp dport @ports accept
		reject with icmp type port-unreachable
	}
	chain other {
		tcp sport 1024-65535 return
		ip ttl 64 continue
		notrack
		meta mark set numgen inc mod 2
		meta mark set numgen random mod 10 offset 5
		meta mark set jhash ip saddr mod 4
		meta mark set jhash ip saddr . tcp dport mod 4 seed 0xabc
		meta mark set symhash mod 2 offset 100
		ct mark set jhash ip saddr mod 8
	}
}
table ip6 six {
	chain forw {
		type filter hook forward priority 0; policy accept;
		ip6 saddr 2001:db8::1 drop
		ip6 nexthdr tcp tcp dport 443 accept
		ip6 daddr 2001:db8::/64 reject with icmpv6 type admin-prohibited
	}
}
table inet mixed {
	set blocked6 { type ipv6_addr; elements = { 2001:db8::1, 2001:db8::2 }; }
	set nets { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.1.0/24, 172.16.0.1 }; }
	set nets6 { type ipv6_addr; flags interval; elements = { 2001:db8::/32, ::1 }; }
	chain in {
		type filter hook input priority 10; policy accept;
		tcp dport 22 counter accept
		ip saddr 127.0.0.1 accept
		ip6 daddr ::1 udp dport 53 accept
		meta nfproto ipv4 drop
		oifname "lo" reject with tcp reset
		ip saddr 10.0.0.0/12 accept
		ip6 saddr != @blocked6 accept
		ip daddr != 10.0.0.1 drop
		tcp dport != 1000-2000 drop
		ip saddr @nets counter accept
		ip6 saddr @nets6 accept
		tcp flags & (syn|ack) == syn drop
		ct status dnat accept
		ct mark 0x00000002 drop
		meta mark set 0x00000010
		iifname "eth*" drop
		icmp type echo-request limit rate over 1 mbytes/second drop
		icmpv6 type echo-request accept
		meta pkttype broadcast drop
		meta nfproto ipv6 reject with icmpv6 admin-prohibited
		reject with icmpx host-unreachable
		log level info flags all
		log group 2 prefix "g"
		tcp sport 22 log prefix "x" level debug
		udp sport { 53, 123 } accept
		ip ttl 1-10 drop
		fib daddr type local accept
		ct original ip saddr 10.0.0.1 drop
		quota 100 bytes drop
		meta l4proto udp th dport 53 accept
	}
	chain post {
		type nat hook postrouting priority 100; policy accept;
		ip daddr 10.0.0.1 snat ip to 10.0.0.2-10.0.0.9 random
		ip6 daddr ::1 tcp dport 80 snat ip6 to [::2]:8080
		meta l4proto tcp masquerade to :1024-2048 fully-random
	}
}
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.0.0.0/8 oifname "lo" masquerade
		ip daddr 10.9.9.9 snat to 127.0.0.1
	}
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 8080 redirect to :80
		ip daddr 127.0.0.2 tcp dport 80 dnat to 127.0.0.1:8080
	}
}
table bridge br {
	chain brfwd {
		type filter hook forward priority -200; policy accept;
		ether saddr 00:11:22:33:44:55 drop
		ether type ip6 accept
		ip saddr 10.0.0.1 accept
	}
}
table ip ext {
	comment "a table"
	set s1 { type ipv4_addr; size 100; policy memory; comment "c1"; elements = { 1.2.3.4 }; }
	set s2 { type ipv4_addr; flags interval; auto-merge; elements = { 1.2.3.0/24 }; }
	set s4 { type ipv4_addr; flags timeout; timeout 1h; gc-interval 30s; }
	set s5 { type ipv4_addr; counter; elements = { 1.1.1.1 }; }
	set t { type ipv4_addr; flags timeout; elements = { 1.2.3.4 timeout 1h, 1.2.3.5 }; }
	set t2 { type ipv4_addr; timeout 2m; elements = { 1.2.3.4 timeout 1h, 1.2.3.5 }; }
	chain c { comment "a chain"; ip saddr 1.1.1.1 accept comment "a rule"; }
	chain b { type filter hook input priority 0; policy accept; comment "a base chain"; }
}
table ip maps {
	map vm { type ipv4_addr : verdict; elements = { 10.0.0.1 : accept, 10.0.0.2 : drop, 10.0.0.3 : jump other }; }
	map mk { type ipv4_addr : mark; elements = { 10.0.0.1 : 0x1, 10.0.0.2 : 0x2 }; }
	map pm { type inet_service : ipv4_addr; elements = { 80 : 10.0.0.1 }; }
	set c3 { type ipv4_addr . inet_service . ipv4_addr; elements = { 10.0.0.1 . 53 . 10.0.0.2 }; }
	set cc { type ipv4_addr . inet_service; elements = { 10.0.0.1 . 22, 10.0.0.2 . 80, 10.0.0.2 . 443 }; }
	chain c {
		ip daddr vmap { 10.0.0.1 : accept, 10.0.0.2 : drop }
		ip daddr vmap @vm
		tcp dport vmap { 22 : jump other, 80 : goto other, 443 : continue }
		meta mark set ip saddr map @mk
		meta mark set ip saddr map { 10.0.0.1 : 0x5 }
		ct mark set tcp dport map { 22 : 0x1, 80 : 0x2 }
		ip saddr . tcp dport { 10.0.0.1 . 22, 10.0.0.3 . 443 } accept
		ip saddr . tcp dport @cc accept
		ip daddr . tcp dport != @cc drop
		tcp dport . ip saddr { 22 . 10.0.0.1 } counter drop
	}
	chain other {
		ip saddr . tcp dport . ip daddr @c3 accept
	}
}
table inet imaps {
	set c6 { type ipv6_addr . inet_service; elements = { 2001:db8::1 . 53 }; }
	chain c {
		ip6 saddr . udp dport { 2001:db8::1 . 53, ::1 . 123 } accept
		meta mark . ip saddr { 0x1 . 10.0.0.1 } accept
		ip6 daddr . udp dport @c6 drop
		iifname . ip saddr { "lo" . 10.0.0.1 } accept
	}
}
table ip objs {
	counter c1 { }
	counter c2 { packets 5 bytes 300 }
	quota q1 { over 10 mbytes }
	quota q2 { 1000 bytes used 100 bytes }
	set dyn { type ipv4_addr; flags dynamic,timeout; timeout 1m; }
	set dyn2 { type ipv4_addr; flags dynamic; }
	set dync { type ipv4_addr . inet_service; flags dynamic; }
	chain c {
		add @dyn2 { ip saddr }
		update @dyn { ip saddr timeout 1m }
		update @dyn { ip saddr }
		add @dyn2 { ip daddr counter }
		delete @dyn2 { ip saddr }
		add @dync { ip saddr . tcp dport }
		tcp option maxseg exists accept
		tcp option maxseg size 1400 accept
		tcp option maxseg size set 1360
		tcp option window count 7 drop
		tcp option timestamp tsval 5 drop
		counter name "c1"
		quota name "q1" drop
		meta iif "lo" accept
		meta oif "nlkv0" accept
		meta iif 77 accept
	}
}
table netdev nd {
	flags dormant
	comment "a dormant table"
	chain in { type filter hook ingress device "lo" priority 0; policy accept; }
	chain in2 { type filter hook ingress devices = { nlkv1, nlkv0 } priority 10; policy accept; }
}
table ip tp {
	chain pre {
		type filter hook prerouting priority -150; policy accept;
		meta l4proto tcp tproxy to :8080
		meta l4proto tcp tproxy to 127.0.0.1:8080
		meta l4proto udp tproxy to 127.0.0.1
		tcp dport 80 tproxy to 127.0.0.1:8080 accept
	}
}
table ip6 tp6 {
	chain pre {
		type filter hook prerouting priority -150; policy accept;
		meta l4proto tcp tproxy to [::1]:8080
		meta l4proto tcp tproxy to [::1]
		meta l4proto tcp tproxy to :80
	}
}
table inet tpi {
	chain pre {
		type filter hook prerouting priority -150; policy accept;
		meta l4proto tcp tproxy to :8080
		meta l4proto tcp tproxy ip to 127.0.0.1:8080
		meta l4proto udp tproxy ip6 to [::1]:53
		meta l4proto tcp tproxy ip6 to [::1]
		meta l4proto tcp tproxy ip to :8081
	}
}
table ip opts {
	chain c {
		tcp option sack-perm exists
		tcp option mptcp exists
		tcp option sack left 1
		tcp option sack0 right 7
		tcp option sack1 right 2
		tcp option sack3 left 5 drop
		tcp option eol exists
		tcp option nop missing
		tcp option maxseg length 4
		tcp option sack-perm length 2
		tcp option mptcp subtype 1
		tcp option md5sig exists
		tcp option fastopen exists
		tcp option 253 exists
		tcp option timestamp tsecr 9
		ip option rr exists
		ip option lsrr exists accept
		ip option ssrr missing
		ip option ra exists
		ip option rr ptr 4
		ip option ra value 0
		ip option rr length 7
		ip option lsrr type 131
	}
}
table ip6 ext6 {
	chain c {
		exthdr frag exists
		exthdr frag missing drop
		frag more-fragments 1
		frag more-fragments 0
		frag frag-off 10
		frag reserved 1
		frag reserved2 1
		frag id 5
		frag nexthdr udp
		rt type 0
		rt seg-left 1
		rt nexthdr udp
		rt hdrlength 2
		hbh nexthdr tcp
		hbh hdrlength 1
		exthdr dst exists
		exthdr mh exists
		exthdr hbh exists
		exthdr rt exists
		dst nexthdr tcp
		mh type home-test-init
		mh type binding-update
		mh checksum 3
		srh last-entry 1
		srh flags 1
		srh tag 2
		srh sid[1] ::1
	}
}
table inet ext {
	chain c {
		exthdr frag exists
		frag more-fragments 1 drop
		ip option rr exists
		ip option ssrr ptr 3
		hbh nexthdr tcp
		tcp option sack-perm exists
		tcp option mptcp subtype 2
		mh type 1
	}
}
table inet cto {
	ct helper ftp-standard { type "ftp" protocol tcp; l3proto inet; }
	ct expectation ex { protocol tcp; dport 21; timeout 1m; size 12; l3proto ip; }
	ct expectation ex6 { protocol udp; dport 5060; timeout 2h30s; size 3; l3proto ip6; }
	chain pre {
		type filter hook prerouting priority -150; policy accept;
		socket transparent 1 accept
		socket mark 0x00000005 accept
		socket wildcard 0 drop
		ct count 5 accept
		ct count over 10 drop
		tcp dport 21 ct helper set "ftp-standard"
		ct expectation set "ex"
	}
}
table ip cto4 {
	ct helper h4 { type "ftp" protocol tcp; }
	chain c {
		type filter hook forward priority 0; policy accept;
		ct helper set "h4"
	}
}
table inet fp {
	chain c {
		type filter hook input priority 0; policy accept;
		osf name "Linux"
		osf ttl loose name "Linux" drop
		osf ttl skip name "Windows"
		osf ttl loose version "Linux:3.0"
		osf name { "Linux", "Windows" } accept
		osf version "Linux:4.1" accept
		meta mark set osf name map { "Linux" : 0x1 }
	}
}
table ip cnt {
	chain out {
		type filter hook output priority 0; policy accept;
		ip daddr 127.0.0.1 counter accept
		counter
	}
}
table inet fw {
	set icmps { type icmp_type; elements = { echo-request, echo-reply } }
	set icmp6s { type icmpv6_type; elements = { nd-neighbor-solicit, echo-request } }
	set states { type ct_state; elements = { established, related } }
	set flagset { type tcp_flag; elements = { syn, ack } }
	set ptypes { type pkt_type; elements = { broadcast, multicast } }
	set sts { type ct_status; elements = { assured, dnat } }
	set dirs { type ct_dir; elements = { original } }
	chain input {
		type filter hook input priority 0; policy accept;
		ct state vmap { established : accept, related : accept, invalid : drop }
		icmp type { echo-request, destination-unreachable, time-exceeded } limit rate 5/second accept
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert, echo-request } accept
		ip6 nexthdr ipv6-icmp icmpv6 type nd-neighbor-solicit accept
		ip protocol icmp icmp type echo-request accept
		meta l4proto tcp tcp dport 22 accept
		icmp type @icmps accept
		icmpv6 type @icmp6s accept
		ct state @states accept
		ct status @sts accept
		ct direction @dirs accept
		meta pkttype @ptypes drop
	}
}
table ip6 six2 {
	chain c {
		ip6 nexthdr ipv6-icmp icmpv6 type nd-neighbor-solicit accept
		ip6 nexthdr tcp tcp dport 443 accept
		ip6 flowlabel 5 accept
		ip6 dscp af11 accept
		ip6 dscp cs0 accept
		ip6 ecn ect0 accept
		ip6 version 6 accept
	}
}
table arp arpt {
	chain in {
		type filter hook input priority 0; policy accept;
		arp operation request accept
		arp operation reply drop
		arp saddr ip 10.0.0.1 accept
		arp daddr ether 02:00:00:00:00:01 accept
		arp htype 1 accept
	}
	chain out {
		type filter hook output priority 0; policy accept;
	}
}
table ip dsc {
	chain c {
		ip dscp cs1 accept
		ip dscp ef meta mark set 0x2
		ip dscp 0x03 accept
		ip dscp != af11 accept
		ip dscp lephb accept
		ip ecn ce drop
		ip version 4 accept
		ip hdrlength 5 accept
		meta priority set 1:2
		meta priority set root
		meta priority 10:ff accept
		meta mark set meta mark | 0x10
		meta mark set meta mark & 0xff
		meta mark set meta mark ^ 0x3
		ct mark set meta mark & 0xffff0000
		meta mark set ct mark
	}
}
table bridge brv {
	chain fw {
		type filter hook forward priority 0; policy accept;
		vlan id 10 accept
		vlan id 20 vlan pcp 3 accept
		vlan type arp accept
		vlan id 30 ip saddr 10.0.0.1 accept
		ether type vlan vlan dei 1 drop
		ether type arp arp operation request accept
		ether type ip ip saddr 10.0.0.1 accept
		ether saddr 02:00:00:00:00:01 drop
	}
}
table inet common {
	chain fw {
		type filter hook forward priority 0; policy accept;
	}
	chain c {
		ct state new,established accept
		tcp flags syn / syn,ack accept
		tcp flags & (syn | ack) == syn | ack accept
		udp sport 67 udp dport 68 accept
		ip daddr 224.0.0.0/4 drop
		ip6 daddr ff00::/8 drop
		meta l4proto udp th dport 53 accept
		ct original ip saddr 10.0.0.1 accept
		reject with tcp reset
		reject with icmp host-unreachable
		reject
		counter packets 10 bytes 100
		limit rate 100/minute burst 5 packets accept
		log group 1 prefix "x"
		log level debug
	}
	chain n {
		type nat hook prerouting priority -100; policy accept;
		dnat ip to ip saddr map { 10.0.0.1 : 192.168.0.1 }
		meta nfproto ipv4 tcp dport 80 redirect to :8080
	}
	chain p {
		type nat hook postrouting priority 100; policy accept;
		oifname "eth9" meta l4proto tcp snat ip to 1.2.3.4:1000-2000
		oifname "eth9" meta l4proto udp masquerade to :1024-2048
	}
	chain raw {
		type filter hook prerouting priority -300; policy accept;
		notrack
	}
}
table ip merged {
	chain c {
		tcp sport 1 tcp dport 2 accept
		ip saddr 10.0.0.1 ip daddr 10.0.0.2 accept
		ip protocol tcp ip saddr 10.0.0.3 accept
		ip ttl 1 ip protocol udp accept
	}
}
table ip cmt {
	set d { type ipv4_addr; elements = { 10.0.0.1 comment "first", 10.0.0.2 } }
	set t { type ipv4_addr; flags timeout; elements = { 10.0.0.1 timeout 1h comment "c" } }
	set k { type ipv4_addr; counter; elements = { 10.0.0.1 comment "k" } }
	map m { type ipv4_addr : verdict; elements = { 10.0.0.1 comment "m" : accept } }
	set i { type ipv4_addr; flags interval; elements = { 10.0.0.0/24 comment "net" } }
}
table ip rt7 {
	chain out {
		type route hook output priority -150; policy accept;
		meta mark set 1 counter
	}
	chain c {
		quota over 10 mbytes drop
		limit rate over 1/second burst 10 packets drop
		ip saddr . ip daddr vmap { 10.0.0.1 . 10.0.0.2 : accept }
		ct state established counter accept comment "c"
		dup to 10.0.0.1
		ip saddr 10.0.0.0/8 ip daddr != 10.0.0.0/8 masquerade comment "nope"
	}
}
table inet i7 {
	chain c {
		reject with icmpx port-unreachable
		reject with icmpv6 no-route
		meta nfproto ipv6 reject with icmpv6 admin-prohibited
	}
}
table netdev nd7 {
	chain ing {
		type filter hook ingress device "lo" priority -500; policy accept;
		fwd to "lo"
		dup to "lo"
	}
}
table ip d2 {
	chain c {
		dup to 10.0.0.1 device "lo"
	}
}
table netdev ndv {
	chain ing {
		type filter hook ingress device "lo" priority 0; policy accept;
		vlan id 5 drop
		ether saddr 02:00:00:00:00:02 drop
		ip saddr 10.0.0.9 drop
		meta iiftype loopback accept
	}
}
`;

// An expression the renderer does not read (rt).
const ODD = `
table inet odd {
	chain c {
		rt mtu 1400 drop
	}
}
`;

/** An element's `expires` counts down between two reads: the one thing normalised. */
const expires = (text: string) => text.replace(/ expires [0-9dhms]+/g, ' expires (time left)');

describeKernel('nlkit nft list ruleset against nft', () => {
  let ns: TestNetns;
  let dir: string;

  const nlkit = (...argv: string[]) => runCommands([nftCommand], argv);
  const load = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    ns.exec('nft', '-f', file);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nlkit-nft-'));
    ns = TestNetns.create('nlkit-nftr');
    // Devices for the netdev chains and for `meta oif`.
    ns.exec('ip', 'link', 'add', 'nlkv0', 'type', 'veth', 'peer', 'name', 'nlkv1');
    load('ruleset.nft', RULESET);
    // Some traffic, so that counters are not all zero: datagrams to
    // 127.0.0.1 (and the rejects they draw) pass `ip daddr 127.0.0.1 counter`.
    ns.exec('python3', '-c', "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor i in range(5): s.sendto(b'x'*100,('127.0.0.1',9))");
  });
  afterAll(() => {
    ns?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints every line nft -y list ruleset prints', async () => {
    const theirs = ns.exec('nft', '-y', 'list', 'ruleset');
    const ours = await nlkit('nft', 'list', 'ruleset', '--netns', ns.name);
    // Counters are compared as they are: nothing else sends traffic in this
    // namespace, which a second read of nft checks.
    expect(expires(ns.exec('nft', '-y', 'list', 'ruleset'))).toBe(expires(theirs));
    expect(ours.code).toBe(0);
    expect(ours.err).toBe('');
    expect(expires(ours.out).split('\n')).toEqual(expires(theirs).split('\n'));
    expect(theirs).toMatch(/ expires [0-9dhms]+/);
    expect(theirs).toMatch(/ip daddr 127\.0\.0\.1 counter packets [1-9]\d* bytes [1-9]\d* accept/);
  });

  it('prints one family alone, and rules as text in JSON', async () => {
    const six = await nlkit('nft', 'list', 'ruleset', 'ip6', '--netns', ns.name);
    expect(six.out.split('\n')).toEqual(ns.exec('nft', '-y', 'list', 'ruleset', 'ip6').split('\n'));
    const json = JSON.parse((await nlkit('nft', 'list', 'ruleset', '--json', '--netns', ns.name)).out) as {
      rules: Array<Record<string, any>>; sets: Array<Record<string, any>>; objects: Array<Record<string, any>>; chains: Array<Record<string, any>>;
    };
    expect(json.objects.find((o) => o.name === 'c2')).toMatchObject({ table: 'objs', type: 'counter', text: '\tcounter c2 {\n\t\tpackets 5 bytes 300\n\t}' });
    expect(JSON.stringify(json.objects.find((o) => o.name === 'c2')!.data)).toMatch(/"packets":5\b/);
    expect(json.chains.find((c) => c.name === 'in2')).toMatchObject({ devices: ['nlkv0', 'nlkv1'] });
    const vm = json.sets.find((x) => x.name === 'vm');
    expect(vm).toMatchObject({ type: 'ipv4_addr', dataTypeName: 'verdict', elements: ['10.0.0.1 : accept', '10.0.0.2 : drop', '10.0.0.3 : jump other'] });
    const forw = json.rules.filter((r) => r.table === 'six').map((r) => r.text);
    expect(forw).toEqual(['ip6 saddr 2001:db8::1 drop', 'tcp dport 443 accept', 'ip6 daddr 2001:db8::/64 reject with icmpv6 admin-prohibited']);
    const nets = json.sets.find((s) => s.name === 'nets');
    expect(nets).toMatchObject({ type: 'ipv4_addr', keyType: 7, elements: ['10.0.0.0/8', '172.16.0.1', '192.168.1.0/24'] });
    // The anonymous set of `tcp dport { 22, 80, 443 }` is listed in JSON with its elements.
    expect(json.sets.filter((s) => s.flags.includes('anonymous')).map((s) => s.elements)).toContainEqual(['22', '80', '443']);
  });

  it('lists the elements of a set with their interval ends', async () => {
    const sock = openSocket('netfilter', { netns: ns.name, timeout: 10_000 });
    try {
      const ports = await listSetElements(sock, { family: 'ip', table: 'filt', set: 'ports' });
      const start = ports.filter((e) => e.flags === 0).map((e) => Buffer.from(e.key!.value!).readUInt16BE(0)).sort((a, b) => a - b);
      // Ends are one past the last value (2001, 3001), plus the zero sentinel that closes the range below 1000.
      const ends = ports.filter((e) => e.flags & 1).map((e) => Buffer.from(e.key!.value!).readUInt16BE(0)).sort((a, b) => a - b);
      expect(start).toEqual([1000, 3000]);
      expect(ends).toEqual([0, 2001, 3001]);
      await expect(listSetElements(sock, { family: 'ip', table: 'filt', set: 'nosuchset' })).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      sock.close();
    }
  });

  it('prints an expression it does not know as a marked, commented-out rule', async () => {
    load('odd.nft', ODD);
    const ours = await nlkit('nft', 'list', 'ruleset', '--netns', ns.name);
    const theirs = ns.exec('nft', '-y', 'list', 'ruleset');
    const oursLines = expires(ours.out).split('\n');
    const theirsLines = expires(theirs).split('\n');
    const at = theirsLines.indexOf('\t\trt mtu 1400 drop');
    expect(at).toBeGreaterThan(0);
    // Every other line is still the same.
    expect(oursLines.filter((_, i) => i !== at)).toEqual(theirsLines.filter((_, i) => i !== at));
    expect(oursLines[at]).toMatch(/^\t\t# \[unknown expression rt [^\]]+\] \[unknown expression cmp [^\]]+\] drop$/);
  });
});
