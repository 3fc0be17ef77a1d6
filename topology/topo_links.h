/* topo_links.h: the physical links a HyperNode tree implies, and the path
 * of a node pair over them.  In a tree the path between two nodes is
 * unique: up from each node through its chain of uplinks to their lowest
 * common HyperNode.  Every link has two directions, each a link of its own
 * (a full-duplex cable can be bad one way only).
 *
 * Link ids: HyperNode h's uplink (to its parent, or to the virtual root
 * for a parentless one) is 2h (up) and 2h+1 (down); node i's access link
 * is 2(H+i) (up: the node transmits) and 2(H+i)+1 (down), H the number of
 * HyperNodes.  Ids are stable once the nodes are bound. */
#ifndef TIERPERF_TOPO_LINKS_H
#define TIERPERF_TOPO_LINKS_H

#include <stddef.h>

#include "topology.h"

enum topo_link_kind { TOPO_LINK_UPLINK, TOPO_LINK_ACCESS };

/* Directed links of the tree (2 per HyperNode and node). */
size_t topo_link_count(const struct topo *topo);
/* What link id is: kind, the HyperNode or node it belongs to (*name_p),
 * and *up_p 1 for the up direction.  Returns -1 for an id out of range. */
int topo_link_info(const struct topo *topo, int link, enum topo_link_kind *kind_p,
                   const char **name_p, int *up_p);
/* The HyperNode an uplink goes up to, NULL for the virtual root or an
 * access link's HyperNode (the node's own), NULL when none. */
const char *topo_link_parent(const struct topo *topo, int link);
/* Index of a bound node by name, -1 when unknown. */
int topo_node_index(const struct topo *topo, const char *name);

/* Directed links that traffic from node a to node b crosses (node
 * indices), in order from a to b; 0 for the same node.  Writes at most max
 * ids and returns the full count (at most 2 * (tree depth + 1)). */
size_t topo_pair_links(const struct topo *topo, int a, int b, int *links, size_t max);
#define TOPO_PATH_MAX 64   /* enough for any tree of fewer than 31 levels */

#endif
