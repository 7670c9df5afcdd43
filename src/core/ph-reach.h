/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-reach.h — who can connect to a listener: this computer, the local network, the internet */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The nested zones of the reach picture, from the inside out. */
typedef enum
{
  PH_REACH_ZONE_THIS_COMPUTER,
  PH_REACH_ZONE_LOCAL_NETWORK,
  PH_REACH_ZONE_INTERNET,
  PH_REACH_N_ZONES,
} PhReachZone;

/* What the reach picture shows for one address. The verdict comes from
 * ph_address_is_reachable(), the same function as the pane's words. */
typedef struct
{
  gboolean     known;          /* FALSE: not an address Porthole can judge; nothing to show */
  PhReachZone  widest;         /* the widest zone whose computers can connect */
  gboolean     every_address;  /* 0.0.0.0, :: or no address given */
  char        *socket_text;    /* "127.0.0.1:62893", "[::1]:8080", "port 3000 on every address" */
} PhReach;

void        ph_reach_init              (PhReach       *reach,
                                        const char    *host,
                                        int            port);
void        ph_reach_clear             (PhReach       *reach);

gboolean    ph_reach_can_connect       (const PhReach *reach,
                                        PhReachZone    zone);
const char *ph_reach_zone_get_title    (PhReachZone    zone);
const char *ph_reach_get_verdict       (const PhReach *reach,
                                        PhReachZone    zone);
char       *ph_reach_dup_description   (const PhReach *reach);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PhReach, ph_reach_clear)

G_END_DECLS
