/* nic_name.c: a link's device as hwloc names it (see nic_name.h). */
#include "nic_name.h"

#include <stdio.h>
#include <string.h>

void nic_base_name(const char *device, char *base, size_t len)
{
    snprintf(base, len, "%s", device != NULL ? device : "");
    base[strcspn(base, ":")] = '\0';
}

hwloc_obj_t nic_osdev(hwloc_topology_t topo, const char *device)
{
    char name[64];
    hwloc_obj_t o = NULL;

    nic_base_name(device, name, sizeof(name));
    if (name[0] == '\0')
        return NULL;
    while ((o = hwloc_get_next_osdev(topo, o)) != NULL)
        if (o->name != NULL && strcmp(o->name, name) == 0)
            return o;
    return NULL;
}
