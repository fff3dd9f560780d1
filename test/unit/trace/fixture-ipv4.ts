/**
 * An IPv4 node (192.168.1.2, cluster CIDR 10.0.0.0/8) in iptables-save form:
 * - ns1/svc1 ClusterIP 172.30.0.41:80, three endpoints;
 * - ns2/svc2 NodePort 3001 eTP=Local, endpoints 10.180.0.4 (elsewhere) and 10.180.1.5 (local);
 * - ns2/svc2b NodePort 3002 eTP=Local, one endpoint elsewhere (10.180.0.9), none local;
 * - ns3/svc3 NodePort 3003 eTP=Cluster, endpoint 10.180.0.6, localhost NodePorts on;
 * - ns5/svc5 LB 5.6.7.8:80 with source range 203.0.113.0/25, ClientIP affinity, 10.180.0.7/.8;
 * - ns6/svc6 ClusterIP 172.30.0.46:80 and NodePort 3006 without endpoints.
 */
export const NODE_IP = '192.168.1.2';

export const IPV4_SAVE = String.raw`
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-SVC1
-A KUBE-SERVICES -d 5.6.7.8/32 -p tcp -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp --dport 80 -j KUBE-FW-SVC5
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-NODEPORTS -p tcp -m comment --comment "ns2/svc2:p80" -m tcp --dport 3001 -j KUBE-EXT-SVC2
-A KUBE-NODEPORTS -p tcp -m comment --comment "ns2/svc2b:p80" -m tcp --dport 3002 -j KUBE-EXT-SVC2B
-A KUBE-NODEPORTS -d 127.0.0.0/8 -p tcp -m comment --comment "ns3/svc3:p80" -m tcp --dport 3003 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-SVC3
-A KUBE-NODEPORTS -p tcp -m comment --comment "ns3/svc3:p80" -m tcp --dport 3003 -j KUBE-EXT-SVC3
-A KUBE-SVC-SVC1 ! -s 10.0.0.0/8 -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-SVC1 -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-A
-A KUBE-SVC-SVC1 -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-B
-A KUBE-SVC-SVC1 -m comment --comment "ns1/svc1:p80 -> 10.180.0.3:80" -j KUBE-SEP-C
-A KUBE-SEP-A -s 10.180.0.1/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-A -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.1:80
-A KUBE-SEP-B -s 10.180.0.2/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-B -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.2:80
-A KUBE-SEP-C -s 10.180.0.3/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-C -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-EXT-SVC2 -s 10.0.0.0/8 -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -j KUBE-SVC-SVC2
-A KUBE-EXT-SVC2 -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-SVC2 -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-SVC2
-A KUBE-EXT-SVC2 -j KUBE-SVL-SVC2
-A KUBE-SVC-SVC2 -m comment --comment "ns2/svc2:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-D
-A KUBE-SVC-SVC2 -m comment --comment "ns2/svc2:p80 -> 10.180.1.5:80" -j KUBE-SEP-L
-A KUBE-SVL-SVC2 -m comment --comment "ns2/svc2:p80 -> 10.180.1.5:80" -j KUBE-SEP-L
-A KUBE-SEP-D -s 10.180.0.4/32 -m comment --comment "ns2/svc2:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-D -p tcp -m comment --comment "ns2/svc2:p80" -m tcp -j DNAT --to-destination 10.180.0.4:80
-A KUBE-SEP-L -s 10.180.1.5/32 -m comment --comment "ns2/svc2:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-L -p tcp -m comment --comment "ns2/svc2:p80" -m tcp -j DNAT --to-destination 10.180.1.5:80
-A KUBE-EXT-SVC2B -s 10.0.0.0/8 -m comment --comment "pod traffic for ns2/svc2b:p80 external destinations" -j KUBE-SVC-SVC2B
-A KUBE-EXT-SVC2B -m comment --comment "masquerade LOCAL traffic for ns2/svc2b:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-SVC2B -m comment --comment "route LOCAL traffic for ns2/svc2b:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-SVC2B
-A KUBE-SVC-SVC2B -m comment --comment "ns2/svc2b:p80 -> 10.180.0.9:80" -j KUBE-SEP-G
-A KUBE-SEP-G -s 10.180.0.9/32 -m comment --comment "ns2/svc2b:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-G -p tcp -m comment --comment "ns2/svc2b:p80" -m tcp -j DNAT --to-destination 10.180.0.9:80
-A KUBE-EXT-SVC3 -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-SVC3 -j KUBE-SVC-SVC3
-A KUBE-SVC-SVC3 -m comment --comment "ns3/svc3:p80 -> 10.180.0.6:80" -j KUBE-SEP-H
-A KUBE-SEP-H -s 10.180.0.6/32 -m comment --comment "ns3/svc3:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-H -p tcp -m comment --comment "ns3/svc3:p80" -m tcp -j DNAT --to-destination 10.180.0.6:80
-A KUBE-FW-SVC5 -s 203.0.113.0/25 -m comment --comment "ns5/svc5:p80 loadbalancer IP" -j KUBE-EXT-SVC5
-A KUBE-FW-SVC5 -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"
-A KUBE-EXT-SVC5 -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-SVC5 -j KUBE-SVC-SVC5
-A KUBE-SVC-SVC5 -m comment --comment "ns5/svc5:p80 -> 10.180.0.7:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-E --mask 255.255.255.255 --rsource -j KUBE-SEP-E
-A KUBE-SVC-SVC5 -m comment --comment "ns5/svc5:p80 -> 10.180.0.8:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-F --mask 255.255.255.255 --rsource -j KUBE-SEP-F
-A KUBE-SVC-SVC5 -m comment --comment "ns5/svc5:p80 -> 10.180.0.7:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-E
-A KUBE-SVC-SVC5 -m comment --comment "ns5/svc5:p80 -> 10.180.0.8:80" -j KUBE-SEP-F
-A KUBE-SEP-E -s 10.180.0.7/32 -m comment --comment "ns5/svc5:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-E -p tcp -m comment --comment "ns5/svc5:p80" -m recent --set --name KUBE-SEP-E --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.180.0.7:80
-A KUBE-SEP-F -s 10.180.0.8/32 -m comment --comment "ns5/svc5:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-F -p tcp -m comment --comment "ns5/svc5:p80" -m recent --set --name KUBE-SEP-F --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.180.0.8:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-NODEPORTS - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-SERVICES -d 172.30.0.46/32 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "ns2/svc2b:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 3002 -j DROP
-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 3006 -j REJECT --reject-with icmp-port-unreachable
-A KUBE-PROXY-FIREWALL -d 5.6.7.8/32 -p tcp -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-SVC5" -m tcp --dport 80 -j DROP
COMMIT
`;
