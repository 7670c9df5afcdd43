/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-map.c — open addressing with linear probing and backward-shift deletion */
#include "config.h"

#include <stdlib.h>

#include "ph-buf.h"
#include "ph-map.h"

static size_t
slot_of (uint64_t key,
         size_t   size)
{
  /* Inodes and PIDs come in runs; a multiplicative mix spreads them. */
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  return (size_t) key & (size - 1);
}

void *
ph_map_get (const PhMap *map,
            uint64_t     key)
{
  size_t i;

  if (map->size == 0)
    return NULL;
  for (i = slot_of (key, map->size); map->slots[i].value != NULL; i = (i + 1) & (map->size - 1))
    {
      if (map->slots[i].key == key)
        return map->slots[i].value;
    }
  return NULL;
}

static void
grow (PhMap *map)
{
  PhMapSlot *old = map->slots;
  size_t old_size = map->size;

  map->size = old_size ? old_size * 2 : 16;
  map->slots = ph_xcalloc (map->size, sizeof *map->slots);
  map->count = 0;
  for (size_t i = 0; i < old_size; i++)
    {
      if (old[i].value != NULL)
        ph_map_set (map, old[i].key, old[i].value);
    }
  free (old);
}

void
ph_map_set (PhMap    *map,
            uint64_t  key,
            void     *value)
{
  size_t i;

  if ((map->count + 1) * 4 > map->size * 3)
    grow (map);
  for (i = slot_of (key, map->size); map->slots[i].value != NULL; i = (i + 1) & (map->size - 1))
    {
      if (map->slots[i].key == key)
        {
          map->slots[i].value = value;
          return;
        }
    }
  map->slots[i].key = key;
  map->slots[i].value = value;
  map->count++;
}

void *
ph_map_remove (PhMap    *map,
               uint64_t  key)
{
  size_t mask = map->size - 1;
  size_t i, j;
  void *value;

  if (map->size == 0)
    return NULL;
  for (i = slot_of (key, map->size); map->slots[i].value != NULL; i = (i + 1) & mask)
    {
      if (map->slots[i].key == key)
        break;
    }
  if (map->slots[i].value == NULL)
    return NULL;
  value = map->slots[i].value;
  map->slots[i].value = NULL;
  map->count--;

  /* Move later members of the probe run back so lookups never stop early. */
  for (j = (i + 1) & mask; map->slots[j].value != NULL; j = (j + 1) & mask)
    {
      size_t home = slot_of (map->slots[j].key, map->size);

      if (((j - home) & mask) >= ((j - i) & mask))
        {
          map->slots[i] = map->slots[j];
          map->slots[j].value = NULL;
          i = j;
        }
    }
  return value;
}

void
ph_map_clear (PhMap *map)
{
  free (map->slots);
  map->slots = NULL;
  map->size = map->count = 0;
}
