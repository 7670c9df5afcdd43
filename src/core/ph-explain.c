/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-explain.c — the plain-language explanation of an address and port, for the GUI and the CLI */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "ph-address.h"
#include "ph-explain.h"

struct _PhExplanation
{
  GPtrArray *items[PH_EXPLANATION_N_SECTIONS];
};

static void
item_free (PhExplanationItem *item)
{
  g_free (item->title);
  g_free (item->text);
  g_free (item);
}

void
ph_explanation_free (PhExplanation *explanation)
{
  if (explanation == NULL)
    return;

  for (guint i = 0; i < PH_EXPLANATION_N_SECTIONS; i++)
    g_clear_pointer (&explanation->items[i], g_ptr_array_unref);
  g_free (explanation);
}

/* Takes @text. */
static void
add_item (PhExplanation        *explanation,
          PhExplanationSection  section,
          const char           *title,
          char                 *text,
          gboolean              is_fact)
{
  PhExplanationItem *item = g_new0 (PhExplanationItem, 1);

  item->title = g_strdup (title);
  item->text = text;
  item->is_fact = is_fact;
  g_ptr_array_add (explanation->items[section], item);
}

static void
add_sentence (PhExplanation        *explanation,
              PhExplanationSection  section,
              const char           *title,
              const char           *text)
{
  add_item (explanation, section, title, g_strdup (text), FALSE);
}

static void
add_fact (PhExplanation        *explanation,
          PhExplanationSection  section,
          const char           *title,
          const char           *text)
{
  add_item (explanation, section, title, g_strdup (text), TRUE);
}

const char *
ph_explanation_section_get_title (PhExplanationSection section)
{
  switch (section)
    {
    case PH_EXPLANATION_ADDRESS:
      /* Translators: a section of the explanation */
      return _("Address");
    case PH_EXPLANATION_PORT:
      /* Translators: a section of the explanation */
      return _("Port");
    case PH_EXPLANATION_STATUS:
      /* Translators: a section of the explanation: is anything listening on the port? */
      return _("Status");
    case PH_EXPLANATION_N_SECTIONS:
    default:
      g_return_val_if_reached ("");
    }
}

guint
ph_explanation_get_n_items (const PhExplanation  *explanation,
                            PhExplanationSection  section)
{
  g_return_val_if_fail (explanation != NULL, 0);
  g_return_val_if_fail (section < PH_EXPLANATION_N_SECTIONS, 0);

  return explanation->items[section]->len;
}

const PhExplanationItem *
ph_explanation_get_item (const PhExplanation  *explanation,
                         PhExplanationSection  section,
                         guint                 index)
{
  g_return_val_if_fail (explanation != NULL, NULL);
  g_return_val_if_fail (section < PH_EXPLANATION_N_SECTIONS, NULL);
  g_return_val_if_fail (index < explanation->items[section]->len, NULL);

  return g_ptr_array_index (explanation->items[section], index);
}

/* Address */

static void
explain_ip_address (PhExplanation *explanation,
                    GInetAddress  *address,
                    const char    *scope,
                    int            v6only)
{
  g_autoptr(GInetAddress) unmapped = ph_address_dup_unmapped (address);
  GInetAddress *effective = unmapped != NULL ? unmapped : address;
  PhAddressKind kind = ph_address_classify (address);
  g_autofree char *note = ph_address_dup_note (address);

  /* Translators: title of a fact: what kind of address this is */
  add_fact (explanation, PH_EXPLANATION_ADDRESS, _("Kind"), ph_address_kind_get_label (kind));

  if (unmapped != NULL)
    {
      PhAddressKind inner = ph_address_classify (unmapped);
      g_autofree char *inner_note = ph_address_dup_note (unmapped);

      add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL,
                    ph_address_kind_get_explanation (kind, G_SOCKET_FAMILY_IPV6));
      /* "::ffff:a.b.c.d is the same as a.b.c.d." */
      if (note != NULL)
        add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL, note);
      add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL,
                    ph_address_kind_get_explanation (inner, G_SOCKET_FAMILY_IPV4));
      if (inner_note != NULL)
        add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL, inner_note);
    }
  else
    {
      add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL,
                    ph_address_kind_get_explanation (kind, g_inet_address_get_family (address)));
      if (note != NULL)
        add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL, note);
    }

  if (scope != NULL)
    {
      /* Translators: title of a fact: the network interface of a link-local address */
      add_fact (explanation, PH_EXPLANATION_ADDRESS, _("Interface"), scope);
    }

  if (kind == PH_ADDRESS_KIND_ANY_IPV6)
    {
      add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL,
                    ph_address_get_dual_stack_sentence (v6only));
    }

  add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL,
                ph_address_get_reach_sentence (effective));
}

static void
explain_address (PhExplanation          *explanation,
                 const PhExplainRequest *request)
{
  const char *host = request->host;
  g_autofree char *bare = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *percent;

  if (host == NULL || *host == '\0' || g_str_equal (host, "*"))
    {
      add_fact (explanation, PH_EXPLANATION_ADDRESS, _("Kind"), _("Any address"));
      add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL,
                    _("No address was given, so this is about the port on every address of "
                      "this computer: 0.0.0.0 for IPv4 and :: for IPv6."));
      return;
    }

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    {
      add_fact (explanation, PH_EXPLANATION_ADDRESS, _("Kind"),
                ph_address_kind_get_label (PH_ADDRESS_KIND_LOCALHOST));
      add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL,
                    ph_address_kind_get_explanation (PH_ADDRESS_KIND_LOCALHOST,
                                                     G_SOCKET_FAMILY_INVALID));
      add_sentence (explanation, PH_EXPLANATION_ADDRESS, NULL,
                    ph_address_get_unreachable_sentence ());
      return;
    }

  percent = strchr (host, '%');
  bare = percent != NULL ? g_strndup (host, (gsize) (percent - host)) : g_strdup (host);
  address = g_inet_address_new_from_string (bare);
  if (address == NULL)
    {
      add_item (explanation, PH_EXPLANATION_ADDRESS, NULL,
                /* Translators: %s is what was given as an address */
                g_strdup_printf (_("Porthole does not know what kind of address “%s” is."), host),
                FALSE);
      return;
    }

  explain_ip_address (explanation, address, percent != NULL ? percent + 1 : NULL,
                      request->v6only);
}

/* Port */

static char *
describe_iana (GArray *services)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) descriptions = g_ptr_array_new ();

  /* The registry often lists several names for one service (80/tcp: http, www, www-http);
   * say each service once with all of its names. */
  for (guint i = 0; i < services->len; i++)
    {
      const PhIanaService *service = &g_array_index (services, PhIanaService, i);

      if (!g_ptr_array_find_with_equal_func (descriptions, service->description, g_str_equal,
                                             NULL))
        g_ptr_array_add (descriptions, (gpointer) service->description);
    }

  for (guint d = 0; d < descriptions->len; d++)
    {
      const char *description = g_ptr_array_index (descriptions, d);
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      g_autofree char *joined = NULL;
      g_autofree char *part = NULL;

      for (guint i = 0; i < services->len; i++)
        {
          const PhIanaService *service = &g_array_index (services, PhIanaService, i);

          if (g_str_equal (service->description, description) && *service->name != '\0')
            g_ptr_array_add (names, (gpointer) service->name);
        }
      g_ptr_array_sort_values (names, (GCompareFunc) g_strcmp0);
      g_ptr_array_add (names, NULL);
      /* Translators: separates IANA service names, as in "http, www, www-http" */
      joined = g_strjoinv (_(", "), (char **) names->pdata);

      if (*description == '\0')
        part = g_strdup (joined);
      else if (names->len <= 1)
        part = g_strdup (description);
      else
        part = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             /* Translators: an IANA registration: the service's
                                              * description, then its service name(s) */
                                             "%s (service name %s)",
                                             "%s (service names %s)",
                                             names->len - 1),
                                description, joined);

      if (text->len > 0)
        /* Translators: separates two IANA registrations of one port */
        g_string_append (text, _("; "));
      g_string_append (text, part);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
explain_ephemeral (PhExplanation          *explanation,
                   const PhExplainRequest *request)
{
  PhPortRange system_range;
  const PhPortRange *range = request->ephemeral;
  guint port = (guint) request->port;
  g_autofree char *text = NULL;

  if (range == NULL)
    {
      ph_port_range_get_ephemeral (&system_range);
      range = &system_range;
    }

  if (ph_port_range_contains (range, port) && request->listening)
    text = g_strdup_printf (_("The kernel hands out ports from this computer’s ephemeral range, "
                              "%u–%u, to programs that ask for any free port. This port lies in "
                              "it, so the program listening here most likely got it that way "
                              "rather than choosing it."),
                            range->first, range->last);
  else if (ph_port_range_contains (range, port))
    text = g_strdup_printf (_("The kernel hands out ports from this computer’s ephemeral range, "
                              "%u–%u, to programs that ask for any free port. This port lies in "
                              "it, so a program may get it without choosing it."),
                            range->first, range->last);
  else if (request->listening)
    text = g_strdup_printf (_("This port lies outside this computer’s ephemeral range, %u–%u, "
                              "from which the kernel hands out ports automatically, so the "
                              "program listening here most likely chose it."),
                            range->first, range->last);
  else
    text = g_strdup_printf (_("This port lies outside this computer’s ephemeral range, %u–%u, "
                              "from which the kernel hands out ports automatically."),
                            range->first, range->last);

  /* Where the two ideas of "automatic ports" disagree, say so: Linux's default range
   * starts among IANA's registered ports. */
  if (range->first <= 49151 &&
      (ph_port_range_contains (range, port) ||
       ph_port_class_for_port (port) == PH_PORT_CLASS_DYNAMIC))
    {
      const char *overlap = _("This range overlaps IANA’s registered ports (1024–49151), so it "
                              "is not the same as IANA’s dynamic range.");
      g_autofree char *both = g_strconcat (text, " ", overlap, NULL);

      g_free (text);
      text = g_steal_pointer (&both);
    }

  /* Translators: title of the sentence about the kernel's range for automatic ports */
  add_item (explanation, PH_EXPLANATION_PORT, _("Ephemeral range"), g_steal_pointer (&text),
            FALSE);
}

static void
explain_port (PhExplanation          *explanation,
              const PhExplainRequest *request)
{
  guint port = (guint) request->port;
  PhPortClass port_class = ph_port_class_for_port (port);
  g_autoptr(GArray) services = ph_iana_lookup (port, request->protocol);
  const PhCommonPort *common = ph_common_port_lookup (port, request->protocol);
  guint first, last;

  ph_port_class_get_range (port_class, &first, &last);
  /* Translators: title of a fact: the class of the port number */
  add_item (explanation, PH_EXPLANATION_PORT, _("Class"),
            /* Translators: a port class such as "dynamic (private) port", then its range */
            g_strdup_printf (_("%s, %u–%u"), ph_port_class_get_name (port_class), first, last),
            TRUE);
  add_sentence (explanation, PH_EXPLANATION_PORT, NULL,
                ph_port_class_get_explanation (port_class));

  if (port == 0)
    {
      add_sentence (explanation, PH_EXPLANATION_PORT, NULL,
                    _("Port 0 is not a real port: a program that asks for port 0 gets any free "
                      "port from the kernel instead."));
      return;
    }

  explain_ephemeral (explanation, request);

  if (services->len > 0)
    /* Translators: title of the fact: what IANA registered this port for */
    add_item (explanation, PH_EXPLANATION_PORT, _("IANA registration"),
              describe_iana (services), TRUE);
  else if (port_class == PH_PORT_CLASS_DYNAMIC)
    add_sentence (explanation, PH_EXPLANATION_PORT, _("IANA registration"),
                  _("None: IANA never registers ports in the dynamic range."));
  else
    add_sentence (explanation, PH_EXPLANATION_PORT, _("IANA registration"),
                  _("None: no service has registered this port with IANA."));

  if (common != NULL)
    {
      g_autofree char *programs = g_strjoinv (_(", "), common->programs);

      /* Translators: title of the fact: what this port is usually used for */
      add_fact (explanation, PH_EXPLANATION_PORT, _("Commonly used for"),
                ph_common_port_get_label (common));
      add_sentence (explanation, PH_EXPLANATION_PORT, NULL,
                    ph_common_port_get_description (common));
      /* Translators: title of the fact: programs that usually listen on this port */
      add_item (explanation, PH_EXPLANATION_PORT, _("Typical programs"),
                g_steal_pointer (&programs), TRUE);
    }
}

/* Status */

static void
explain_status (PhExplanation          *explanation,
                const PhExplainRequest *request)
{
  const char *text = NULL;

  if (request->listener != NULL)
    {
      add_item (explanation, PH_EXPLANATION_STATUS, NULL,
                /* Translators: %s names who listens, e.g. "vite, process 4242" */
                g_strdup_printf (_("%s is listening here."), request->listener), FALSE);
      return;
    }

  if (!request->checked)
    return;

  switch (request->status)
    {
    case PH_PORT_STATUS_FREE:
      text = _("Nothing is listening here; the port is free.");
      break;
    case PH_PORT_STATUS_IN_USE:
      text = _("Something on this computer holds this port, so no other program can listen on "
               "it now.");
      break;
    case PH_PORT_STATUS_LINGERING:
      text = _("Nothing is listening here, but connections that closed a moment ago still hold "
               "the port for up to a minute. Servers that set SO_REUSEADDR can use it already.");
      break;
    case PH_PORT_STATUS_NOT_LOCAL:
      text = _("This address does not belong to this computer, so nothing here can listen on "
               "it.");
      break;
    case PH_PORT_STATUS_UNKNOWN:
    default:
      text = request->status_detail != NULL ? request->status_detail
                                            : _("Porthole could not tell whether the port is "
                                                "free.");
      break;
    }

  add_sentence (explanation, PH_EXPLANATION_STATUS, NULL, text);
}

/* Builds the explanation of @request: sections of items, every text translated. */
PhExplanation *
ph_explain_request (const PhExplainRequest *request)
{
  PhExplanation *explanation = g_new0 (PhExplanation, 1);

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (request->port <= 65535, NULL);

  for (guint i = 0; i < PH_EXPLANATION_N_SECTIONS; i++)
    explanation->items[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);

  explain_address (explanation, request);
  if (request->port >= 0)
    {
      explain_port (explanation, request);
      explain_status (explanation, request);
    }

  return explanation;
}

/* The short form for a socket that is listening (@listening) or an address typed by the user:
 * @host as ph_explain_request() takes it, @port 0 for "no port", @protocol "tcp" or "udp". */
PhExplanation *
ph_explain (const char *host,
            guint       port,
            const char *protocol,
            int         v6only,
            gboolean    listening)
{
  PhExplainRequest request = {
    .host = host,
    .port = port != 0 ? (int) port : -1,
    .protocol = PH_PORT_PROTOCOL_TCP,
    .v6only = v6only,
    .listening = listening,
  };

  g_return_val_if_fail (port <= 65535, NULL);

  if (protocol != NULL)
    ph_port_protocol_from_string (protocol, &request.protocol);

  return ph_explain_request (&request);
}
