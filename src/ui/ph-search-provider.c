/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-search-provider.c — GNOME Shell search: listeners matching what is typed in the overview */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-address.h"
#include "ph-cli-list.h"
#include "ph-search-provider.h"
#include "ph-troubleshoot.h"

/*
 * org.gnome.Shell.SearchProvider2, exported next to the application's own object. The
 * Shell asks while the user types, several times a second: every answer comes from one
 * `porthole-helper watch --once` (ph_cli_list_scan_async(), the scan `porthole --list`
 * makes), kept for a few seconds so the subsearches of one typing session share it. No
 * window and no widget is made for a search; the application is held while a scan runs,
 * so a D-Bus-activated Porthole does not time out under a pending call.
 *
 * A result's ID is "PROTOCOL ADDRESS" ("tcp 127.0.0.1:3000"): stable while the program
 * runs, and the address is what the window's search selects the listener by.
 *
 * A typed TCP address that no listener answers on gets one more result, "check ADDRESS":
 * its description is the troubleshooter's finding ("Nothing is listening on
 * 127.0.0.1:3000, but a server listens on [::1]:3000."), worked out when the Shell asks
 * for the metas; activating it opens the window's search on the address.
 */

#define CHECK_PREFIX "check "

/* How long one scan answers searches. */
#define CACHE_USEC (5 * G_USEC_PER_SEC)

static const char provider_xml[] =
  "<node>"
  "  <interface name='org.gnome.Shell.SearchProvider2'>"
  "    <method name='GetInitialResultSet'>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='as' name='results' direction='out'/>"
  "    </method>"
  "    <method name='GetSubsearchResultSet'>"
  "      <arg type='as' name='previous_results' direction='in'/>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='as' name='results' direction='out'/>"
  "    </method>"
  "    <method name='GetResultMetas'>"
  "      <arg type='as' name='identifiers' direction='in'/>"
  "      <arg type='aa{sv}' name='metas' direction='out'/>"
  "    </method>"
  "    <method name='ActivateResult'>"
  "      <arg type='s' name='identifier' direction='in'/>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "    <method name='LaunchSearch'>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

struct _PhSearchProvider
{
  GObject           parent_instance;

  GApplication     *application;    /* not owned: it owns us */
  PhSearchOpenFunc  open;
  GDBusConnection  *connection;
  guint             registration_id;

  PhServiceList    *list;           /* the last scan, or NULL */
  gint64            list_time;      /* when it was made (monotonic) */
  gboolean          scanning;
  GPtrArray        *waiting;        /* GDBusMethodInvocation waiting for the scan */
  GCancellable     *cancellable;
};

G_DEFINE_FINAL_TYPE (PhSearchProvider, ph_search_provider, G_TYPE_OBJECT)

/* ---- what matches ------------------------------------------------------------------- */

/**
 * ph_search_provider_match:
 * @terms: what is typed in the overview, split into words by the Shell
 *
 * An address with a port ("127.0.0.1:8080", "[::1]:3000") matches the listener that
 * answers there, as the window's search selects it; a port alone ("3000", ":5432") every
 * listener on exactly that port; anything else what the window's filter matches (program,
 * project, unit, command line…), by ph_service_matches().
 *
 * Returns: (transfer container) (element-type PhService): the matches, in the list's order
 */
GPtrArray *
ph_search_provider_match (PhServiceList      *list,
                          const char * const *terms)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model = G_LIST_MODEL (list);
  g_autofree char *query = g_strjoinv (" ", (char **) terms);
  g_autoptr(PhAddressSpec) spec = NULL;

  g_strstrip (query);
  if (*query == '\0')
    return found;

  spec = ph_address_spec_parse (query, NULL);
  if (spec != NULL && spec->port > 0 && spec->host != NULL)
    {
      PhService *service = ph_service_list_find_serving (list, spec->host, (guint) spec->port,
                                                         spec->has_protocol
                                                         ? (spec->protocol == PH_PORT_PROTOCOL_UDP
                                                            ? "udp" : "tcp")
                                                         : NULL);

      if (service != NULL)
        g_ptr_array_add (found, g_object_ref (service));
      return found;
    }

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PhService) service = g_list_model_get_item (model, i);
      gboolean match;

      if (spec != NULL && spec->port > 0)
        match = ph_service_get_port (service) == (guint) spec->port &&
                (!spec->has_protocol ||
                 g_strcmp0 (ph_service_get_protocol (service),
                            spec->protocol == PH_PORT_PROTOCOL_UDP ? "udp" : "tcp") == 0);
      else
        match = ph_service_matches (service, query, NULL, NULL);

      if (match)
        g_ptr_array_add (found, g_steal_pointer (&service));
    }
  return found;
}

char *
ph_search_provider_result_id (PhService *service)
{
  g_autofree char *address = ph_service_dup_display_address (service);

  return g_strdup_printf ("%s %s", ph_service_get_protocol (service), address);
}

static PhService *
lookup_id (PhServiceList *list,
           const char    *id)
{
  GListModel *model = G_LIST_MODEL (list);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PhService) service = g_list_model_get_item (model, i);
      g_autofree char *service_id = ph_search_provider_result_id (service);

      if (g_str_equal (service_id, id))
        return service;
    }
  return NULL;
}

/* "127.0.0.1:3000 — Only programs on this computer can connect to it.": the address and
 * the sentence the detail pane says about who can reach it. */
char *
ph_search_provider_dup_description (PhService *service)
{
  g_autofree char *address = ph_service_dup_display_address (service);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (ph_service_get_address (service));
  const char *reach;

  if (!ph_service_is_reachable_from_network (service))
    reach = ph_address_get_unreachable_sentence ();
  else if (inet != NULL)
    reach = ph_address_get_reach_sentence (inet);
  else
    reach = _("Other computers can connect to it, unless a firewall stops them.");

  /* Translators: a Shell search result's description: an address such as 127.0.0.1:3000
   * (with UDP after it for UDP), then who can connect to it */
  if (g_strcmp0 (ph_service_get_protocol (service), "udp") == 0)
    return g_strdup_printf (_("%s UDP — %s"), address, reach);
  return g_strdup_printf (_("%s — %s"), address, reach);
}

static GVariant *
result_meta (PhService  *service,
             const char *id)
{
  GVariantBuilder meta;
  PhProcess *owner = ph_service_get_main_owner (service);
  const char *icon_name = ph_service_get_group_icon (service);
  g_autofree char *description = ph_search_provider_dup_description (service);
  g_autofree char *owner_name = owner != NULL ? ph_process_dup_display_name (owner) : NULL;
  const char *group = ph_service_get_group_name (service);
  g_autofree char *name = NULL;
  g_autoptr(GIcon) icon = NULL;
  g_autoptr(GVariant) icon_variant = NULL;

  /* The group is what the window's section says ("shop", "PostgreSQL"); the program's
   * own name after it when that says more. */
  if (group != NULL && owner_name != NULL && g_ascii_strcasecmp (group, owner_name) != 0)
    /* Translators: a Shell search result's name: the application, then the program */
    name = g_strdup_printf (_("%s (%s)"), group, owner_name);
  else
    name = g_strdup (group != NULL ? group : owner_name != NULL ? owner_name : "?");

  icon = g_themed_icon_new_with_default_fallbacks (icon_name != NULL && *icon_name != '\0'
                                                   ? icon_name : APP_ID);
  /* not floating: the builder takes a reference of its own */
  icon_variant = g_icon_serialize (icon);
  g_variant_builder_init (&meta, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&meta, "{sv}", "id", g_variant_new_string (id));
  g_variant_builder_add (&meta, "{sv}", "name", g_variant_new_string (name));
  g_variant_builder_add (&meta, "{sv}", "description", g_variant_new_string (description));
  g_variant_builder_add (&meta, "{sv}", "icon", icon_variant);
  return g_variant_builder_end (&meta);
}

/* ---- answering ---------------------------------------------------------------------- */

/* "check 127.0.0.1:3000" when @terms are a TCP address with a port and nothing listed
 * answers there, else NULL. */
static char *
check_id_for_terms (const char * const *terms)
{
  g_autofree char *query = g_strjoinv (" ", (char **) terms);
  g_autoptr(PhAddressSpec) spec = ph_address_spec_parse (g_strstrip (query), NULL);
  g_autofree char *address = NULL;

  if (spec == NULL || spec->port <= 0 || spec->protocol != PH_PORT_PROTOCOL_TCP)
    return NULL;
  address = ph_address_spec_to_string (spec);
  return g_strconcat (CHECK_PREFIX, address, NULL);
}

static GVariant *
results_variant (PhServiceList      *list,
                 const char * const *terms,
                 const char * const *previous)
{
  g_autoptr(GPtrArray) found = ph_search_provider_match (list, terms);
  GVariantBuilder results;

  g_variant_builder_init (&results, G_VARIANT_TYPE ("as"));
  for (guint i = 0; i < found->len; i++)
    {
      g_autofree char *id = ph_search_provider_result_id (g_ptr_array_index (found, i));

      if (previous == NULL || g_strv_contains (previous, id))
        g_variant_builder_add (&results, "s", id);
    }
  /* A new address is a new question: never narrowed away by the previous results. */
  if (found->len == 0)
    {
      g_autofree char *check_id = check_id_for_terms (terms);

      if (check_id != NULL)
        g_variant_builder_add (&results, "s", check_id);
    }
  return g_variant_new ("(as)", &results);
}

/* ---- metas of "check" results: the troubleshooter, asynchronously ------------------ */

typedef struct
{
  PhSearchProvider      *self;        /* owned */
  GDBusMethodInvocation *invocation;  /* owned */
  GPtrArray             *metas;       /* of GVariant (a{sv}), NULL until known */
  guint                  pending;
} MetasJob;

typedef struct
{
  MetasJob *job;
  guint     index;
  char     *id;
} MetaSlot;

static GVariant *
check_meta (const char *id,
            const char *description)
{
  GVariantBuilder meta;
  g_autoptr(GIcon) icon = g_themed_icon_new (APP_ID);
  g_autoptr(GVariant) icon_variant = g_icon_serialize (icon);

  g_variant_builder_init (&meta, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&meta, "{sv}", "id", g_variant_new_string (id));
  g_variant_builder_add (&meta, "{sv}", "name",
                         g_variant_new_string (id + strlen (CHECK_PREFIX)));
  g_variant_builder_add (&meta, "{sv}", "description", g_variant_new_string (description));
  g_variant_builder_add (&meta, "{sv}", "icon", icon_variant);
  return g_variant_ref_sink (g_variant_builder_end (&meta));
}

static void
metas_job_finish_one (MetasJob *job)
{
  GVariantBuilder metas;

  if (--job->pending > 0)
    return;

  g_variant_builder_init (&metas, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < job->metas->len; i++)
    {
      GVariant *meta = g_ptr_array_index (job->metas, i);

      if (meta != NULL)
        g_variant_builder_add_value (&metas, meta);
    }
  g_dbus_method_invocation_return_value (job->invocation, g_variant_new ("(aa{sv})", &metas));
  g_application_release (job->self->application);
  g_ptr_array_unref (job->metas);
  g_object_unref (job->self);
  g_free (job);
}

static void
troubleshoot_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  MetaSlot *slot = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhDiagnosis) diagnosis = ph_troubleshoot_finish (result, &error);

  if (diagnosis != NULL)
    g_ptr_array_index (slot->job->metas, slot->index) = check_meta (slot->id, diagnosis->summary);
  else
    g_debug ("search: no diagnosis for %s: %s", slot->id, error->message);
  metas_job_finish_one (slot->job);
  g_free (slot->id);
  g_free (slot);
}

static void
answer_metas (PhSearchProvider      *self,
              GDBusMethodInvocation *invocation,
              const char           **ids)
{
  MetasJob *job = g_new0 (MetasJob, 1);

  job->self = g_object_ref (self);
  /* The invocation is answered once, by metas_job_finish_one(). */
  job->invocation = invocation;
  job->metas = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  job->pending = 1;
  g_application_hold (self->application);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      if (g_str_has_prefix (ids[i], CHECK_PREFIX))
        {
          g_autoptr(PhAddressSpec) spec = ph_address_spec_parse (ids[i] + strlen (CHECK_PREFIX),
                                                                 NULL);
          g_autofree char *host = NULL;
          MetaSlot *slot;

          if (spec == NULL || spec->port <= 0)
            continue;
          host = ph_address_spec_dup_check_host (spec);
          slot = g_new0 (MetaSlot, 1);
          slot->job = job;
          slot->index = job->metas->len;
          slot->id = g_strdup (ids[i]);
          g_ptr_array_add (job->metas, NULL);
          job->pending++;
          ph_troubleshoot_async (host, spec->port, PH_PORT_PROTOCOL_TCP, NULL,
                                 self->cancellable, troubleshoot_cb, slot);
        }
      else
        {
          PhService *service = lookup_id (self->list, ids[i]);

          if (service != NULL)
            g_ptr_array_add (job->metas, g_variant_ref_sink (result_meta (service, ids[i])));
        }
    }
  metas_job_finish_one (job);
}

static void
answer (PhSearchProvider      *self,
        GDBusMethodInvocation *invocation)
{
  const char *method = g_dbus_method_invocation_get_method_name (invocation);
  GVariant *parameters = g_dbus_method_invocation_get_parameters (invocation);

  if (self->list == NULL)
    {
      /* No scan: no results rather than an error dialog in the overview. */
      if (g_str_equal (method, "GetResultMetas"))
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(aa{sv})", NULL));
      else
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(as)", NULL));
      return;
    }

  if (g_str_equal (method, "GetInitialResultSet"))
    {
      g_autofree const char **terms = NULL;

      g_variant_get (parameters, "(^a&s)", &terms);
      g_dbus_method_invocation_return_value (invocation,
                                             results_variant (self->list, terms, NULL));
    }
  else if (g_str_equal (method, "GetSubsearchResultSet"))
    {
      g_autofree const char **previous = NULL;
      g_autofree const char **terms = NULL;

      g_variant_get (parameters, "(^a&s^a&s)", &previous, &terms);
      g_dbus_method_invocation_return_value (invocation,
                                             results_variant (self->list, terms, previous));
    }
  else /* GetResultMetas */
    {
      g_autofree const char **ids = NULL;

      g_variant_get (parameters, "(^a&s)", &ids);
      answer_metas (self, invocation, ids);
    }
}

static void
scan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  PhSearchProvider *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhServiceList) list = ph_cli_list_scan_finish (result, &error);
  g_autoptr(GPtrArray) waiting = NULL;

  if (list == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  if (list == NULL)
    g_debug ("search: no scan: %s", error->message);

  self->scanning = FALSE;
  g_clear_object (&self->list);
  self->list = g_steal_pointer (&list);
  self->list_time = g_get_monotonic_time ();

  waiting = g_steal_pointer (&self->waiting);
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiting->len; i++)
    {
      answer (self, g_ptr_array_index (waiting, i));
      g_application_release (self->application);
    }
  g_object_unref (self);
}

/* Answers from the last scan while it is fresh; otherwise after a new one. */
static void
answer_after_scan (PhSearchProvider      *self,
                   GDBusMethodInvocation *invocation)
{
  if (self->list != NULL && !self->scanning &&
      g_get_monotonic_time () - self->list_time < CACHE_USEC)
    {
      answer (self, invocation);
      return;
    }

  g_application_hold (self->application);
  g_ptr_array_add (self->waiting, g_object_ref (invocation));
  if (self->scanning)
    return;
  self->scanning = TRUE;
  ph_cli_list_scan_async (self->cancellable, scan_cb, g_object_ref (self));
}

/* The text the window's search selects a result's listener by. */
static char *
search_text_for_id (const char *id)
{
  const char *space = strchr (id, ' ');

  if (space == NULL)
    return g_strdup (id);
  if (g_str_has_prefix (id, "udp "))
    return g_strdup_printf ("%s/udp", space + 1);
  return g_strdup (space + 1);
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  PhSearchProvider *self = user_data;

  if (g_str_equal (method_name, "GetInitialResultSet") ||
      g_str_equal (method_name, "GetSubsearchResultSet") ||
      g_str_equal (method_name, "GetResultMetas"))
    {
      answer_after_scan (self, invocation);
    }
  else if (g_str_equal (method_name, "ActivateResult"))
    {
      const char *id = NULL;
      g_autofree char *text = NULL;
      guint32 timestamp = 0;

      g_variant_get (parameters, "(&sasu)", &id, NULL, &timestamp);
      text = search_text_for_id (id);
      self->open (self->application, text, timestamp);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "LaunchSearch"))
    {
      g_autofree const char **terms = NULL;
      g_autofree char *text = NULL;
      guint32 timestamp = 0;

      g_variant_get (parameters, "(^a&su)", &terms, &timestamp);
      text = g_strjoinv (" ", (char **) terms);
      self->open (self->application, g_strstrip (text), timestamp);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                             G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "Unknown method %s", method_name);
    }
}

static const GDBusInterfaceVTable vtable = { method_call, NULL, NULL, { 0 } };

gboolean
ph_search_provider_register (PhSearchProvider  *self,
                             GDBusConnection   *connection,
                             const char        *object_path,
                             GError           **error)
{
  g_autoptr(GDBusNodeInfo) info = NULL;

  g_return_val_if_fail (PH_IS_SEARCH_PROVIDER (self), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  info = g_dbus_node_info_new_for_xml (provider_xml, error);
  if (info == NULL)
    return FALSE;
  self->registration_id = g_dbus_connection_register_object (connection, object_path,
                                                             info->interfaces[0], &vtable,
                                                             self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;
  self->connection = g_object_ref (connection);
  return TRUE;
}

void
ph_search_provider_unregister (PhSearchProvider *self)
{
  g_return_if_fail (PH_IS_SEARCH_PROVIDER (self));

  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
}

/* ---- GObject --------------------------------------------------------------------------- */

static void
ph_search_provider_dispose (GObject *object)
{
  PhSearchProvider *self = PH_SEARCH_PROVIDER (object);

  g_cancellable_cancel (self->cancellable);
  ph_search_provider_unregister (self);
  if (self->waiting != NULL)
    {
      for (guint i = 0; i < self->waiting->len; i++)
        {
          GDBusMethodInvocation *invocation = g_ptr_array_index (self->waiting, i);

          /* returning takes a reference; the array's own goes below */
          g_dbus_method_invocation_return_error_literal (g_object_ref (invocation),
                                                         G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                         "Porthole is quitting");
        }
      g_ptr_array_set_size (self->waiting, 0);
    }

  G_OBJECT_CLASS (ph_search_provider_parent_class)->dispose (object);
}

static void
ph_search_provider_finalize (GObject *object)
{
  PhSearchProvider *self = PH_SEARCH_PROVIDER (object);

  g_clear_object (&self->list);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);

  G_OBJECT_CLASS (ph_search_provider_parent_class)->finalize (object);
}

static void
ph_search_provider_class_init (PhSearchProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ph_search_provider_dispose;
  object_class->finalize = ph_search_provider_finalize;
}

static void
ph_search_provider_init (PhSearchProvider *self)
{
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

PhSearchProvider *
ph_search_provider_new (GApplication     *application,
                        PhSearchOpenFunc  open)
{
  PhSearchProvider *self = g_object_new (PH_TYPE_SEARCH_PROVIDER, NULL);

  self->application = application;
  self->open = open;
  return self;
}
