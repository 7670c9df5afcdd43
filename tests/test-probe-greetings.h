/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-probe-greetings.h: binary greetings of MySQL and MariaDB servers, for the probe's tests */
#pragma once

#include <glib.h>

static const guint8 G_GNUC_UNUSED mysql_greeting[] = {
  0x49, 0x00, 0x00, 0x00, 0x0a, '8', '.', '0', '.', '3', '6', 0x00,
  0x08, 0x00, 0x00, 0x00, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x00,
  0xff, 0xff, 0xff, 0x02, 0x00, 0xff, 0xdf, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 0x00,
  'c', 'a', 'c', 'h', 'i', 'n', 'g', '_', 's', 'h', 'a', '2', '_', 'p', 'a', 's', 's',
  'w', 'o', 'r', 'd', 0x00,
};

static const guint8 G_GNUC_UNUSED mariadb_greeting[] = {
  0x23, 0x00, 0x00, 0x00, 0x0a,
  '5', '.', '5', '.', '5', '-', '1', '0', '.', '1', '1', '.', '6', '-',
  'M', 'a', 'r', 'i', 'a', 'D', 'B', 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
};

static const guint8 G_GNUC_UNUSED mysql_refusal[] = {
  0x26, 0x00, 0x00, 0x00, 0xff, 0x6a, 0x04,
  'H', 'o', 's', 't', ' ', 'i', 's', ' ', 'n', 'o', 't', ' ', 'a', 'l', 'l', 'o', 'w', 'e',
  'd', ' ', 't', 'o', ' ', 'c', 'o', 'n', 'n', 'e', 'c', 't', ' ', 'h', 'e', 'r', 'e',
};
