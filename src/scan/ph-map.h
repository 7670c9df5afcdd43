/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-map.h — a small open-addressing hash map from 64-bit keys to pointers */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct
{
  uint64_t key;
  void    *value;   /* NULL marks an empty slot */
} PhMapSlot;

typedef struct
{
  PhMapSlot *slots;
  size_t     size;   /* a power of two, or 0 */
  size_t     count;
} PhMap;

#define PH_MAP_INIT { NULL, 0, 0 }

void  *ph_map_get    (const PhMap *map, uint64_t key);
/* Inserts or replaces; @value must not be NULL. */
void   ph_map_set    (PhMap *map, uint64_t key, void *value);
/* Returns the removed value, or NULL. */
void  *ph_map_remove (PhMap *map, uint64_t key);
void   ph_map_clear  (PhMap *map);

/* Iteration: for (size_t i = 0; i < map->size; i++) if (map->slots[i].value) …
 * Do not insert or remove while iterating. */
