// Example records from several vendors with their expected classification, worked out by hand
// from the rules in rules/*.toml (anchors, patterns, static fields and `set`) and the defaults in
// rules/README.md (severity warn for a failure without one). The lines are written for these
// tests in the vendors' documented formats. `hint` is the start of the rule's own hint text.

/** Raw log lines, classified as the record {"log": line}. */
export const LINES = [
  {
    vendor: 'Cisco ASA',
    line: 'Nov 22 04:12:09 asa-dc2 : %ASA-3-713903: Group = 198.51.100.20, IP = 198.51.100.20, ERROR, had problems decrypting packet, probably due to mismatched pre-shared key.  Aborting',
    expect: {
      kind: 'ike', event: 'auth_failed', outcome: 'failure', severity: 'warn', phase: 1, ike_version: 1,
      reason: 'psk_mismatch', vendor: 'cisco_asa', rule: 'cisco_asa.ike.auth_failed.psk_decrypt', code: '713903',
      peer: { ip: '198.51.100.20' }, tunnel: '198.51.100.20',
    },
    hint: 'The ASA could not decrypt the peer',
  },
  {
    vendor: 'strongSwan',
    line: 'Nov 22 05:01:13 gw-berlin charon[2210]: 09[IKE] <branch-7|12> received AUTHENTICATION_FAILED notify error',
    expect: {
      kind: 'ike', event: 'auth_failed', outcome: 'failure', severity: 'warn', phase: 1,
      reason: 'auth_failed', vendor: 'strongswan', rule: 'strongswan.ike.auth_failed',
      tunnel: 'branch-7', serial: 12,
    },
    hint: "The peer rejected this side's authentication.",
  },
  {
    vendor: 'FortiGate',
    line: 'date=2026-11-22 time=05:17:40 devname="FGT-BRANCH" devid="FG60FTK21000042" logid="0101037136" type="event" subtype="vpn" level="error" vd="root" msg="IPsec DPD failure" action="dpd" remip=203.0.113.91 locip=198.51.100.14 remport=4500 locport=4500 outintf="wan2" user="N/A" group="N/A" assignip=N/A vpntunnel="to-hq" status="dpd_failure"',
    expect: {
      kind: 'dpd', event: 'dpd_timeout', outcome: 'failure', severity: 'warn', reason: 'peer_dead',
      vendor: 'fortigate', rule: 'fortigate.dpd.dpd_timeout', code: '0101037136',
      peer: { ip: '203.0.113.91', port: 4500 }, local: { ip: '198.51.100.14' }, tunnel: 'to-hq',
    },
    hint: 'The peer stopped answering Dead Peer Detection',
  },
  {
    vendor: 'FRRouting',
    line: 'Nov 22 05:20:02 edge-r2 bgpd[877]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor 198.51.100.201(isp-a) in vrf default Up',
    expect: {
      kind: 'bgp', event: 'bgp_session_up', outcome: 'success', severity: 'info',
      vendor: 'frr', rule: 'frr.bgp.bgp_session_up', code: 'M59KS-A3ZXZ', bgp: { neighbor: '198.51.100.201' },
    },
  },
];

/** Whole JSON records, as a log shipper reads them from a cloud provider's export. */
export const RECORDS = [
  {
    vendor: 'AWS',
    record: '{"event_timestamp":1763788800,"details":"AWS tunnel DPD timed out after 4 retransmits","dpd_enabled":true,"nat_t_detected":false,"ike_phase1_state":"Down","ike_phase2_state":"Down","resource_id":"vpn-0f1e2d3c4b5a69788_198.51.100.7"}',
    expect: {
      kind: 'dpd', event: 'dpd_timeout', outcome: 'failure', severity: 'warn', phase: 1, ike_version: 2,
      reason: 'peer_dead', vendor: 'aws', rule: 'aws.dpd.timeout.v2', state: 'down',
      tunnel: 'vpn-0f1e2d3c4b5a69788_198.51.100.7', retries: 4, nat_t: false, dpd_enabled: true,
    },
    hint: 'AWS retransmitted its DPD request',
  },
  {
    vendor: 'Azure',
    record: '{"TimeGenerated":"2026-11-22T05:30:12.118Z","Category":"TunnelDiagnosticLog","OperationName":"TunnelDisconnected","Message":"Tunnel to 192.0.2.150 disconnected","remoteIP_s":"192.0.2.150","instance_s":"GatewayTenantWorker_IN_1","Resource":"VNG-WEST","ResourceGroup":"RG-EDGE"}',
    expect: {
      kind: 'tunnel', event: 'tunnel_down', outcome: 'failure', severity: 'warn', reason: 'tunnel_down',
      vendor: 'azure', rule: 'azure.tunnel.tunnel_down',
      peer: { ip: '192.0.2.150' }, instance: 'GatewayTenantWorker_IN_1',
    },
    hint: 'If TunnelConnected follows within seconds on the other gateway instance',
  },
];

/** Lines and records that are not VPN events. */
export const ORDINARY_LINES = [
  'Nov 22 05:31:00 web-1 nginx[411]: 192.0.2.10 - - "GET /healthz HTTP/1.1" 200 2',
  'Nov 22 05:31:02 gw-berlin systemd[1]: Started Daily apt download activities.',
];
export const ORDINARY_RECORDS = [
  '{"log":"user alice logged in","level":"info"}',
  '{}',
];
