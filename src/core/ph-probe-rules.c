/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-probe-rules.c: what must not be sent an HTTP request, from data/probe-rules.ini */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-core-resources.h"
#include "ph-probe-private.h"

#define PROBE_RULES_RESOURCE "/io/github/porthole/Porthole/core/probe-rules.ini"

static const char * const rule_kind_names[] = {
  [PH_PROBE_RULE_NOT_HTTP] = "not-http",
  [PH_PROBE_RULE_TLS_ONLY] = "tls-only",
  [PH_PROBE_RULE_TLS_HTTP] = "tls-http",
};

void
ph_probe_rule_free (PhProbeRule *rule)
{
  if (rule == NULL)
    return;

  g_free (rule->id);
  g_free (rule->service);
  g_clear_pointer (&rule->ports, g_array_unref);
  g_strfreev (rule->programs);
  g_free (rule);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhProbeRule, ph_probe_rule_free)

static gboolean G_GNUC_PRINTF (3, 4)
fail (GError     **error,
      const char  *group,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "[%s]: %s", group,
               message);
  return FALSE;
}

/* A list of words: NULL when the key is absent, an error when it is there but empty or
 * holds an empty entry or a space. */
static gboolean
read_list (GKeyFile    *keyfile,
           const char  *group,
           const char  *key,
           GStrv       *out,
           GError     **error)
{
  g_auto(GStrv) list = NULL;

  if (!g_key_file_has_key (keyfile, group, key, NULL))
    return TRUE;

  list = g_key_file_get_string_list (keyfile, group, key, NULL, NULL);
  if (list == NULL || list[0] == NULL)
    return fail (error, group, "%s is empty", key);
  for (guint i = 0; list[i] != NULL; i++)
    {
      g_strstrip (list[i]);
      if (list[i][0] == '\0' || strchr (list[i], ' ') != NULL)
        return fail (error, group, "%s: empty entry or an entry with a space: “%s”", key, list[i]);
    }

  *out = g_steal_pointer (&list);
  return TRUE;
}

static gboolean
parse_port (const char  *text,
            guint16     *port)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    return FALSE;
  *port = (guint16) value;
  return TRUE;
}

/* "6379", "6000-6063" */
static gboolean
parse_ports (const char   *group,
             char        **list,
             GArray       *ports,
             GError      **error)
{
  for (guint i = 0; list[i] != NULL; i++)
    {
      g_auto(GStrv) ends = g_strsplit (list[i], "-", 3);
      guint16 range[2];

      if (g_strv_length (ends) > 2 ||
          !parse_port (ends[0], &range[0]) ||
          !parse_port (ends[1] != NULL ? ends[1] : ends[0], &range[1]) ||
          range[1] < range[0])
        return fail (error, group, "Ports: “%s” is not a port from 1 to 65535 or a range "
                     "such as 6000-6063", list[i]);
      g_array_append_vals (ports, range, 2);
    }
  return TRUE;
}

static PhProbeRule *
parse_rule (GKeyFile    *keyfile,
            const char  *group,
            GError     **error)
{
  static const char * const known_keys[] = { "Service", "Kind", "Ports", "Programs", NULL };
  g_autoptr(PhProbeRule) rule = g_new0 (PhProbeRule, 1);
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  g_auto(GStrv) ports = NULL;
  g_autofree char *kind = NULL;

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!g_strv_contains (known_keys, keys[i]))
        {
          fail (error, group, "unknown key “%s”", keys[i]);
          return NULL;
        }
    }

  rule->id = g_strdup (group);
  rule->kind = PH_PROBE_RULE_NOT_HTTP;
  kind = g_key_file_get_string (keyfile, group, "Kind", NULL);
  if (kind != NULL)
    {
      gboolean found = FALSE;

      g_strstrip (kind);
      for (guint k = 0; k < G_N_ELEMENTS (rule_kind_names); k++)
        {
          if (strcmp (kind, rule_kind_names[k]) == 0)
            {
              rule->kind = k;
              found = TRUE;
            }
        }
      if (!found)
        {
          fail (error, group, "Kind “%s” is not one of not-http, tls-only, tls-http", kind);
          return NULL;
        }
    }

  rule->service = g_key_file_get_string (keyfile, group, "Service", NULL);
  if (rule->service != NULL && g_strstrip (rule->service)[0] == '\0')
    g_clear_pointer (&rule->service, g_free);
  if (rule->service == NULL && rule->kind != PH_PROBE_RULE_TLS_HTTP)
    {
      fail (error, group, "Service is missing");
      return NULL;
    }

  if (!read_list (keyfile, group, "Ports", &ports, error) ||
      !read_list (keyfile, group, "Programs", &rule->programs, error))
    return NULL;
  if (ports == NULL && rule->programs == NULL)
    {
      fail (error, group, "needs Ports, Programs or both");
      return NULL;
    }
  if (rule->programs != NULL && rule->kind != PH_PROBE_RULE_NOT_HTTP)
    {
      fail (error, group, "Programs are only for Kind=not-http");
      return NULL;
    }

  rule->ports = g_array_new (FALSE, FALSE, sizeof (guint16));
  if (ports != NULL && !parse_ports (group, ports, rule->ports, error))
    return NULL;

  return g_steal_pointer (&rule);
}

/* The rule whose Ports hold @port, or NULL. */
static const PhProbeRule *
find_port_rule (GPtrArray *rules,
                guint16    port)
{
  for (guint i = 0; i < rules->len; i++)
    {
      const PhProbeRule *rule = g_ptr_array_index (rules, i);
      const guint16 *ranges = (const guint16 *) (gpointer) rule->ports->data;

      for (guint r = 0; r + 1 < rule->ports->len; r += 2)
        {
          if (port >= ranges[r] && port <= ranges[r + 1])
            return rule;
        }
    }
  return NULL;
}

/**
 * ph_probe_rules_parse:
 *
 * Reads rules in the format of data/probe-rules.ini.
 *
 * Returns: (transfer full) (element-type PhProbeRule) (nullable): the rules, in the file's
 *   order, or %NULL with @error naming the first bad entry
 */
GPtrArray *
ph_probe_rules_parse (const char  *data,
                      gsize        length,
                      GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func ((GDestroyNotify) ph_probe_rule_free);
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_data (keyfile, data, length, G_KEY_FILE_NONE, error))
    return NULL;

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      PhProbeRule *rule = parse_rule (keyfile, groups[i], error);
      const guint16 *ranges;

      if (rule == NULL)
        return NULL;

      /* a port is described once: the first rule would win, silently */
      ranges = (const guint16 *) (gpointer) rule->ports->data;
      for (guint r = 0; r + 1 < rule->ports->len; r += 2)
        {
          for (guint port = ranges[r]; port <= ranges[r + 1]; port++)
            {
              const PhProbeRule *other = find_port_rule (rules, (guint16) port);

              if (other != NULL)
                {
                  fail (error, groups[i], "port %u is in [%s] already", port, other->id);
                  ph_probe_rule_free (rule);
                  return NULL;
                }
            }
        }
      g_ptr_array_add (rules, rule);
    }

  if (rules->len == 0)
    {
      g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "no rules");
      return NULL;
    }
  return g_steal_pointer (&rules);
}

/* Compiled in and never changes: parsed once, kept for the life of the process. */
GPtrArray *
ph_probe_rules_get (void)
{
  static GPtrArray *rules;

  if (g_once_init_enter_pointer (&rules))
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      GPtrArray *parsed = NULL;

      bytes = g_resource_lookup_data (ph_core_get_resource (), PROBE_RULES_RESOURCE,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes != NULL)
        parsed = ph_probe_rules_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                       &error);
      if (parsed == NULL)
        {
          g_warning ("The probe's rules are broken: %s", error->message);
          parsed = g_ptr_array_new ();
        }
      g_once_init_leave_pointer (&rules, parsed);
    }
  return rules;
}

/* "/usr/bin/redis-server" and retitled processes ("postgres: 17/main: checkpointer") */
static char *
program_base_name (const char *program)
{
  g_autofree char *word = g_strndup (program, strcspn (program, " :"));

  return g_path_get_basename (word);
}

static gboolean
program_matches (const char *pattern,
                 const char *name)
{
  gsize len = strlen (pattern);

  if (len > 0 && pattern[len - 1] == '*')
    return strncmp (pattern, name, len - 1) == 0;
  return strcmp (pattern, name) == 0;
}

/* The rule that names @program among its Programs, or NULL. */
static const PhProbeRule *
find_program_rule (GPtrArray  *rules,
                   const char *program)
{
  g_autofree char *name = NULL;

  if (program == NULL || program[0] == '\0')
    return NULL;

  name = program_base_name (program);
  for (guint i = 0; i < rules->len; i++)
    {
      const PhProbeRule *rule = g_ptr_array_index (rules, i);

      for (guint p = 0; rule->programs != NULL && rule->programs[p] != NULL; p++)
        {
          if (program_matches (rule->programs[p], name))
            return rule;
        }
    }
  return NULL;
}

/* What the probe may send to @program listening on @port: the program's rule first (it
 * speaks its protocol on any port), then the port's; with neither, plain HTTP then TLS. */
void
ph_probe_plan_for (const char  *program,
                   guint16      port,
                   PhProbePlan *plan)
{
  GPtrArray *rules = ph_probe_rules_get ();
  const PhProbeRule *rule;

  memset (plan, 0, sizeof *plan);

  rule = find_program_rule (rules, program);
  if (rule != NULL)
    {
      plan->service = rule->service;
      plan->send_nothing = TRUE;
      return;
    }

  rule = find_port_rule (rules, port);
  if (rule == NULL)
    {
      plan->plain_http = TRUE;
      plan->tls_http = TRUE;
      return;
    }

  plan->service = rule->service;
  plan->plain_http = rule->kind == PH_PROBE_RULE_TLS_HTTP;
  plan->tls_first = rule->kind != PH_PROBE_RULE_NOT_HTTP;
  plan->tls_http = rule->kind == PH_PROBE_RULE_TLS_HTTP;
  plan->tls_tried = rule->kind == PH_PROBE_RULE_NOT_HTTP;
}

const char *
ph_probe_guess_non_http (const char *program,
                         guint16     port)
{
  GPtrArray *rules = ph_probe_rules_get ();
  const PhProbeRule *rule = find_program_rule (rules, program);

  if (rule == NULL)
    rule = find_port_rule (rules, port);
  if (rule == NULL || rule->service == NULL || rule->kind == PH_PROBE_RULE_TLS_HTTP)
    return NULL;
  return _(rule->service);
}
