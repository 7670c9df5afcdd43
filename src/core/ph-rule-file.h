/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-rule-file.h — one reader for core's keyfile data files (dev servers, daemons, probe rules) */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PH_RULE_LIST_WORDS    = 0,       /* entries are single words */
  PH_RULE_LIST_SPACES   = 1 << 0,  /* entries may hold spaces (paths) */
  PH_RULE_LIST_NO_SLASH = 1 << 1,  /* entries may not hold a slash (program names) */
} PhRuleListFlags;

typedef struct _PhRuleFormat PhRuleFormat;

/* Reads one [group] into a rule, or sets @error and returns NULL. @rules holds the rules read
 * so far (for checks across entries). */
typedef gpointer (*PhRuleParseFunc) (const PhRuleFormat  *format,
                                     GKeyFile            *keyfile,
                                     const char          *group,
                                     GPtrArray           *rules,
                                     GError             **error);

/* What a data file holds and how its errors are reported. */
struct _PhRuleFormat
{
  const char      *what;          /* "rules", "daemons": in "no rules" and warnings */
  GQuark         (*error_domain) (void);
  int              error_code;
  PhRuleParseFunc  parse_group;
  GDestroyNotify   free_rule;
};

void        ph_rule_file_set_error   (const PhRuleFormat  *format,
                                      GError             **error,
                                      const char          *group,
                                      const char          *message_format,
                                      ...) G_GNUC_PRINTF (4, 5);
gboolean    ph_rule_file_check_keys  (const PhRuleFormat  *format,
                                      GKeyFile            *keyfile,
                                      const char          *group,
                                      const char * const  *known_keys,
                                      GError             **error);
char       *ph_rule_file_read_word   (const PhRuleFormat  *format,
                                      GKeyFile            *keyfile,
                                      const char          *group,
                                      const char          *key,
                                      GError             **error);
gboolean    ph_rule_file_read_choice (const PhRuleFormat  *format,
                                      GKeyFile            *keyfile,
                                      const char          *group,
                                      const char          *key,
                                      const char * const  *names,
                                      int                  fallback,
                                      int                 *out,
                                      GError             **error);
gboolean    ph_rule_file_read_list   (const PhRuleFormat  *format,
                                      GKeyFile            *keyfile,
                                      const char          *group,
                                      const char          *key,
                                      PhRuleListFlags      flags,
                                      GStrv               *out,
                                      GError             **error);
GPtrArray  *ph_rule_file_parse       (const PhRuleFormat  *format,
                                      const char          *data,
                                      gsize                length, /* or -1: up to a NUL */
                                      GError             **error);
guint       ph_rule_file_count       (const PhRuleFormat  *format,
                                      const char          *data,
                                      gsize                length,
                                      GError             **error);
GPtrArray  *ph_rule_file_get         (const PhRuleFormat  *format,
                                      GPtrArray          **cache,
                                      GResource           *resource,
                                      const char          *path);

G_END_DECLS
