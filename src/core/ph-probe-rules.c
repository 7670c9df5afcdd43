/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-probe-rules.c: what must not be sent an HTTP request, from data/probe-rules.ini */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-core-resources.h"
#include "ph-probe-private.h"
#include "ph-rule-file.h"

#define PROBE_RULES_RESOURCE "/io/github/porthole/Porthole/core/probe-rules.ini"

static const char * const rule_kind_names[] = {
  [PH_PROBE_RULE_NOT_HTTP] = "not-http",
  [PH_PROBE_RULE_TLS_ONLY] = "tls-only",
  [PH_PROBE_RULE_TLS_HTTP] = "tls-http",
  [PH_PROBE_RULE_NO_CONNECT] = "no-connect",
  NULL
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
parse_ports (const PhRuleFormat  *format,
             const char   *group,
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
        {
          ph_rule_file_set_error (format, error, group, "Ports: “%s” is not a port from 1 to "
                                  "65535 or a range such as 6000-6063", list[i]);
          return FALSE;
        }
      g_array_append_vals (ports, range, 2);
    }
  return TRUE;
}

static const PhProbeRule *find_port_rule (GPtrArray *rules,
                                          guint16    port);

static gpointer
parse_rule (const PhRuleFormat  *format,
            GKeyFile            *keyfile,
            const char          *group,
            GPtrArray           *rules,
            GError             **error)
{
  static const char * const known_keys[] = { "Service", "Kind", "Ports", "Programs", NULL };
  g_autoptr(PhProbeRule) rule = g_new0 (PhProbeRule, 1);
  g_auto(GStrv) ports = NULL;
  const guint16 *ranges;
  int kind;

  if (!ph_rule_file_check_keys (format, keyfile, group, known_keys, error))
    return NULL;

  rule->id = g_strdup (group);
  if (!ph_rule_file_read_choice (format, keyfile, group, "Kind", rule_kind_names,
                                 PH_PROBE_RULE_NOT_HTTP, &kind, error))
    return NULL;
  rule->kind = kind;

  rule->service = g_key_file_get_string (keyfile, group, "Service", NULL);
  if (rule->service != NULL && g_strstrip (rule->service)[0] == '\0')
    g_clear_pointer (&rule->service, g_free);
  if (rule->service == NULL && rule->kind != PH_PROBE_RULE_TLS_HTTP)
    {
      ph_rule_file_set_error (format, error, group, "Service is missing");
      return NULL;
    }

  if (!ph_rule_file_read_list (format, keyfile, group, "Ports", PH_RULE_LIST_WORDS, &ports,
                               error) ||
      !ph_rule_file_read_list (format, keyfile, group, "Programs", PH_RULE_LIST_WORDS,
                               &rule->programs, error))
    return NULL;
  if (ports == NULL && rule->programs == NULL)
    {
      ph_rule_file_set_error (format, error, group, "needs Ports, Programs or both");
      return NULL;
    }
  if (rule->programs != NULL && rule->kind != PH_PROBE_RULE_NOT_HTTP
      && rule->kind != PH_PROBE_RULE_NO_CONNECT)
    {
      ph_rule_file_set_error (format, error, group,
                              "Programs are only for Kind=not-http and Kind=no-connect");
      return NULL;
    }

  rule->ports = g_array_new (FALSE, FALSE, sizeof (guint16));
  if (ports != NULL && !parse_ports (format, group, ports, rule->ports, error))
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
              ph_rule_file_set_error (format, error, group, "port %u is in [%s] already",
                                      port, other->id);
              return NULL;
            }
        }
    }

  return g_steal_pointer (&rule);
}

static const PhRuleFormat probe_rules_format = {
  .what = "rules",
  .error_domain = g_key_file_error_quark,
  .error_code = G_KEY_FILE_ERROR_INVALID_VALUE,
  .parse_group = parse_rule,
  .free_rule = (GDestroyNotify) ph_probe_rule_free,
};

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
  return ph_rule_file_parse (&probe_rules_format, data, length, error);
}

GPtrArray *
ph_probe_rules_get (void)
{
  static GPtrArray *rules;

  return ph_rule_file_get (&probe_rules_format, &rules, ph_core_get_resource (),
                           PROBE_RULES_RESOURCE);
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
      plan->no_connect = rule->kind == PH_PROBE_RULE_NO_CONNECT;
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
  if (rule->kind == PH_PROBE_RULE_NO_CONNECT)
    {
      plan->send_nothing = TRUE;
      plan->no_connect = TRUE;
      return;
    }
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
