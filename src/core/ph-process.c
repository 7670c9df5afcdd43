/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-process.c — the facts of one process that owns a listening socket, from a PROC record */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-app-identity.h"
#include "ph-process.h"

/* The exact bytes the helper sent, and a form that is safe to show. They share memory
 * when the raw text is already safe, which is nearly always. */
typedef struct
{
  char *raw;
  char *display;
} PhText;

struct _PhProcess
{
  GObject   parent_instance;

  gint64    pid;
  guint64   start_time;
  gint64    ppid;
  gint64    uid;

  PhText    user;
  PhText    comm;
  PhText    exe;
  PhText    cwd;
  PhText    cgroup;
  PhText    manager;
  PhText    unit;
  PhText    app_id;
  PhText    container;
  PhText    container_kind;
  PhText    slice;
  PhText    app_name;
  PhText    app_icon;

  GBytes   *cmdline;
  char    **argv;
  char     *command_line;
  char     *search_text;     /* ph_process_get_search_text (), made when first asked */

  PhAppIdentity *identity;   /* its group; never NULL */
};

enum {
  PROP_0,
  PROP_PID,
  PROP_START_TIME,
  PROP_PPID,
  PROP_UID,
  PROP_USER,
  PROP_COMM,
  PROP_EXE,
  PROP_CWD,
  PROP_CGROUP,
  PROP_MANAGER,
  PROP_UNIT,
  PROP_APP_ID,
  PROP_CONTAINER,
  PROP_CONTAINER_KIND,
  PROP_SLICE,
  PROP_APP_NAME,
  PROP_APP_ICON,
  PROP_ARGV,
  PROP_COMMAND_LINE,
  PROP_IDENTITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PhProcess, ph_process, G_TYPE_OBJECT)

/* Which PROC key fills which text field; the order of the properties above. */
static const struct
{
  const char *key;
  guint       prop;
  gsize       offset;
  gboolean    identity;   /* the app identity depends on it */
} text_fields[] = {
  { "user", PROP_USER, G_STRUCT_OFFSET (PhProcess, user), TRUE },
  { "comm", PROP_COMM, G_STRUCT_OFFSET (PhProcess, comm), TRUE },
  { "exe", PROP_EXE, G_STRUCT_OFFSET (PhProcess, exe), TRUE },
  { "cwd", PROP_CWD, G_STRUCT_OFFSET (PhProcess, cwd), TRUE },
  { "cgroup", PROP_CGROUP, G_STRUCT_OFFSET (PhProcess, cgroup), FALSE },
  { "manager", PROP_MANAGER, G_STRUCT_OFFSET (PhProcess, manager), TRUE },
  { "unit", PROP_UNIT, G_STRUCT_OFFSET (PhProcess, unit), TRUE },
  { "app_id", PROP_APP_ID, G_STRUCT_OFFSET (PhProcess, app_id), TRUE },
  { "container", PROP_CONTAINER, G_STRUCT_OFFSET (PhProcess, container), TRUE },
  { "container_kind", PROP_CONTAINER_KIND, G_STRUCT_OFFSET (PhProcess, container_kind), TRUE },
  { "slice", PROP_SLICE, G_STRUCT_OFFSET (PhProcess, slice), FALSE },
  { "app_name", PROP_APP_NAME, G_STRUCT_OFFSET (PhProcess, app_name), TRUE },
  { "app_icon", PROP_APP_ICON, G_STRUCT_OFFSET (PhProcess, app_icon), TRUE },
};

static void
ph_text_clear (PhText *text)
{
  if (text->display != text->raw)
    g_free (text->display);
  g_free (text->raw);
  text->raw = NULL;
  text->display = NULL;
}

/* Returns TRUE when the value changed. @raw NULL means unknown. */
static gboolean
ph_text_set (PhText     *text,
             const char *raw,
             gsize       len)
{
  if (raw == NULL && text->raw == NULL)
    return FALSE;
  if (raw != NULL && text->raw != NULL && strlen (text->raw) == len &&
      memcmp (text->raw, raw, len) == 0)
    return FALSE;

  ph_text_clear (text);
  if (raw != NULL)
    {
      text->raw = g_strndup (raw, len);
      /* strndup stops at a NUL; a path or name with one is shown up to it */
      if (ph_protocol_is_display_safe (text->raw, -1))
        text->display = text->raw;
      else
        text->display = ph_protocol_display (text->raw, -1);
    }
  return TRUE;
}

static gboolean
str_needs_quoting (const char *arg)
{
  if (*arg == '\0')
    return TRUE;
  for (const char *p = arg; *p; p++)
    {
      if (strchr (" \"'\\$`!*?[]{}()<>|&;#~", *p) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
ph_process_set_cmdline (PhProcess *self,
                        GBytes    *cmdline)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) line = g_string_new (NULL);

  g_clear_pointer (&self->cmdline, g_bytes_unref);
  g_clear_pointer (&self->argv, g_strfreev);
  g_clear_pointer (&self->command_line, g_free);

  if (cmdline == NULL)
    return;

  self->cmdline = g_bytes_ref (cmdline);

  {
    gsize len;
    const char *data = g_bytes_get_data (cmdline, &len);
    gsize start = 0;

    /* An empty cmdline (a kernel thread, a zombie) has no arguments at all. */
    for (gsize i = 0; len > 0 && i <= len; i++)
      {
        if (i == len || data[i] == '\0')
          {
            g_autofree char *arg = ph_protocol_display (data + start, i - start);

            if (line->len > 0)
              g_string_append_c (line, ' ');
            if (str_needs_quoting (arg))
              {
                g_autofree char *quoted = g_shell_quote (arg);
                g_string_append (line, quoted);
              }
            else
              g_string_append (line, arg);

            g_strv_builder_take (builder, g_steal_pointer (&arg));
            start = i + 1;
          }
      }
  }

  self->argv = g_strv_builder_end (builder);
  self->command_line = g_string_free (g_steal_pointer (&line), FALSE);
}

/* Which application this process belongs to, from the facts as they are shown (so a
 * name made from them is safe to show too). */
static PhAppIdentity *
compute_identity (PhProcess *self)
{
  PhProcessFacts facts = {
    .comm = self->comm.display,
    .exe = self->exe.display,
    .cwd = self->cwd.display,
    .argv = (const char * const *) self->argv,
    .manager = self->manager.display,
    .unit = self->unit.display,
    .app_id = self->app_id.display,
    .container = self->container.display,
    .container_kind = self->container_kind.display,
    .uid = self->uid >= 0 ? (guint) self->uid : G_MAXUINT,
    .user = self->user.display,
    .app_name = self->app_name.display,
    .app_icon = self->app_icon.display,
  };

  return ph_app_identity_new_for_process (&facts);
}

/* Returns TRUE when the identity really changed (something it shows differs), and only
 * then replaces it and notifies. */
static gboolean
ph_process_update_identity (PhProcess *self)
{
  g_autoptr(PhAppIdentity) identity = compute_identity (self);

  if (self->identity != NULL && ph_app_identity_equal (self->identity, identity))
    return FALSE;

  g_set_object (&self->identity, identity);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDENTITY]);
  return TRUE;
}

static void
ph_process_finalize (GObject *object)
{
  PhProcess *self = (PhProcess *)object;

  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    ph_text_clear (G_STRUCT_MEMBER_P (self, text_fields[i].offset));
  g_clear_pointer (&self->cmdline, g_bytes_unref);
  g_clear_pointer (&self->argv, g_strfreev);
  g_clear_pointer (&self->command_line, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_object (&self->identity);

  G_OBJECT_CLASS (ph_process_parent_class)->finalize (object);
}

static void
ph_process_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PhProcess *self = PH_PROCESS (object);

  switch (prop_id)
    {
    case PROP_PID:
      g_value_set_int64 (value, self->pid);
      break;

    case PROP_START_TIME:
      g_value_set_uint64 (value, self->start_time);
      break;

    case PROP_PPID:
      g_value_set_int64 (value, self->ppid);
      break;

    case PROP_UID:
      g_value_set_int64 (value, self->uid);
      break;

    case PROP_USER:
    case PROP_COMM:
    case PROP_EXE:
    case PROP_CWD:
    case PROP_CGROUP:
    case PROP_MANAGER:
    case PROP_UNIT:
    case PROP_APP_ID:
    case PROP_CONTAINER:
    case PROP_CONTAINER_KIND:
    case PROP_SLICE:
    case PROP_APP_NAME:
    case PROP_APP_ICON:
      {
        const PhText *text = G_STRUCT_MEMBER_P (self, text_fields[prop_id - PROP_USER].offset);
        g_value_set_string (value, text->display);
      }
      break;

    case PROP_ARGV:
      g_value_set_boxed (value, self->argv);
      break;

    case PROP_COMMAND_LINE:
      g_value_set_string (value, self->command_line);
      break;

    case PROP_IDENTITY:
      g_value_set_object (value, self->identity);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_pspec (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
ph_process_class_init (PhProcessClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ph_process_finalize;
  object_class->get_property = ph_process_get_property;

  properties[PROP_PID] = g_param_spec_int64 ("pid", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_START_TIME] =
    g_param_spec_uint64 ("start-time", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /* -1: unknown */
  properties[PROP_PPID] = g_param_spec_int64 ("ppid", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_UID] = g_param_spec_int64 ("uid", NULL, NULL, -1, G_MAXUINT32, -1, flags);
  properties[PROP_USER] = string_pspec ("user");
  properties[PROP_COMM] = string_pspec ("comm");
  properties[PROP_EXE] = string_pspec ("exe");
  properties[PROP_CWD] = string_pspec ("cwd");
  properties[PROP_CGROUP] = string_pspec ("cgroup");
  properties[PROP_MANAGER] = string_pspec ("manager");
  properties[PROP_UNIT] = string_pspec ("unit");
  properties[PROP_APP_ID] = string_pspec ("app-id");
  properties[PROP_CONTAINER] = string_pspec ("container");
  properties[PROP_CONTAINER_KIND] = string_pspec ("container-kind");
  properties[PROP_SLICE] = string_pspec ("slice");
  /* The desktop entry's Name and Icon, as the helper read them on its side */
  properties[PROP_APP_NAME] = string_pspec ("app-name");
  properties[PROP_APP_ICON] = string_pspec ("app-icon");
  properties[PROP_ARGV] = g_param_spec_boxed ("argv", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_COMMAND_LINE] = string_pspec ("command-line");
  properties[PROP_IDENTITY] =
    g_param_spec_object ("identity", NULL, NULL, PH_TYPE_APP_IDENTITY, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ph_process_init (PhProcess *self)
{
  self->ppid = -1;
  self->uid = -1;
}

PhProcess *
ph_process_new (gint64  pid,
                guint64 start_time)
{
  PhProcess *self = g_object_new (PH_TYPE_PROCESS, NULL);

  self->pid = pid;
  self->start_time = start_time;
  ph_process_update_identity (self);
  return self;
}

static gboolean update_from_record (PhProcess      *self,
                                    const PhRecord *record,
                                    gboolean        with_identity,
                                    gboolean       *identity_changed);

/* Whether @a and @b have every fact their identity is made of in common (they then have
 * the same identity: compute_identity() reads nothing else of them). */
static gboolean
same_identity_facts (PhProcess *a,
                     PhProcess *b)
{
  if (a->uid != b->uid ||
      !(a->argv == NULL ? b->argv == NULL
                        : b->argv != NULL && g_strv_equal ((const char * const *) a->argv,
                                                           (const char * const *) b->argv)))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      const PhText *ta = G_STRUCT_MEMBER_P (a, text_fields[i].offset);
      const PhText *tb = G_STRUCT_MEMBER_P (b, text_fields[i].offset);

      if (text_fields[i].identity && g_strcmp0 (ta->display, tb->display) != 0)
        return FALSE;
    }
  return TRUE;
}

/**
 * ph_process_new_from_record:
 * @record: a PROC record
 *
 * Returns: (transfer full) (nullable): the process, or %NULL when the record lacks its
 *   identity (pid and start)
 */
PhProcess *
ph_process_new_from_record (const PhRecord  *record,
                            GError         **error)
{
  return ph_process_new_from_record_sharing (record, NULL, error);
}

/**
 * ph_process_new_from_record_sharing:
 * @record: a PROC record
 * @others: (element-type PhProcess) (nullable): processes made before (the last few of a
 *   change set): the first whose facts give the same identity lends it, instead of one
 *   made again (with its rules, desktop entries and unit files) for each of a server's
 *   many workers
 *
 * Returns: (transfer full) (nullable): as ph_process_new_from_record()
 */
PhProcess *
ph_process_new_from_record_sharing (const PhRecord  *record,
                                    GPtrArray       *others,
                                    GError         **error)
{
  g_autoptr(PhProcess) self = NULL;
  guint64 pid;
  guint64 start;

  g_return_val_if_fail (record != NULL, NULL);

  if (!ph_record_get_uint64 (record, "pid", &pid, error) ||
      !ph_record_get_uint64 (record, "start", &start, error))
    return NULL;
  if (pid == 0 || pid > G_MAXINT32)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_NUMBER,
                   "PROC: pid %" G_GUINT64_FORMAT " is out of range", pid);
      return NULL;
    }

  /* Not ph_process_new(): its identity, made from no facts at all, would be made again at
   * once from the record's (a first list of 2,000 processes made 4,000). */
  self = g_object_new (PH_TYPE_PROCESS, NULL);
  self->pid = (gint64) pid;
  self->start_time = start;
  g_object_freeze_notify (G_OBJECT (self));
  update_from_record (self, record, FALSE, NULL);
  for (guint i = 0; others != NULL && i < others->len; i++)
    {
      PhProcess *other = g_ptr_array_index (others, i);

      if (other->identity != NULL && same_identity_facts (self, other))
        {
          self->identity = g_object_ref (other->identity);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDENTITY]);
          break;
        }
    }
  if (self->identity == NULL)
    ph_process_update_identity (self);
  g_object_thaw_notify (G_OBJECT (self));
  return g_steal_pointer (&self);
}

static gboolean
set_int64 (PhProcess *self,
           gint64    *field,
           gint64     value,
           guint      prop)
{
  if (*field == value)
    return FALSE;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

/**
 * ph_process_update_from_record:
 * @record: a PROC record for this process (same pid and start; not checked again)
 * @identity_changed: (out) (optional): whether the identity (the group) really changed,
 *   so services owned by it must be regrouped
 *
 * Replaces every fact with the record's (PROC is always complete), notifying only the
 * properties whose value changed.
 *
 * Returns: whether anything changed
 */
gboolean
ph_process_update_from_record (PhProcess      *self,
                               const PhRecord *record,
                               gboolean       *identity_changed)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  return update_from_record (self, record, TRUE, identity_changed);
}

/* With @with_identity FALSE, the identity is left to the caller (a new process). */
static gboolean
update_from_record (PhProcess      *self,
                    const PhRecord *record,
                    gboolean        with_identity,
                    gboolean       *identity_changed)
{
  gboolean changed = FALSE;
  gboolean identity_inputs_changed = FALSE;
  guint64 value;
  g_autoptr(GBytes) cmdline = NULL;

  if (identity_changed != NULL)
    *identity_changed = FALSE;

  g_object_freeze_notify (G_OBJECT (self));

  changed |= set_int64 (self, &self->ppid,
                        ph_record_get_uint64 (record, "ppid", &value, NULL) &&
                        value <= G_MAXINT32 ? (gint64) value : -1,
                        PROP_PPID);
  if (set_int64 (self, &self->uid,
                 ph_record_get_uint64 (record, "uid", &value, NULL) &&
                 value <= G_MAXUINT32 ? (gint64) value : -1,
                 PROP_UID))
    {
      changed = TRUE;
      identity_inputs_changed = TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      PhText *text = G_STRUCT_MEMBER_P (self, text_fields[i].offset);
      gsize len = 0;
      const char *raw = ph_record_get (record, text_fields[i].key, &len);

      if (ph_text_set (text, raw, len))
        {
          changed = TRUE;
          identity_inputs_changed |= text_fields[i].identity;
          g_object_notify_by_pspec (G_OBJECT (self), properties[text_fields[i].prop]);
        }
    }

  cmdline = ph_record_dup_bytes (record, "cmdline");
  if (!(cmdline == NULL && self->cmdline == NULL) &&
      !(cmdline != NULL && self->cmdline != NULL && g_bytes_equal (cmdline, self->cmdline)))
    {
      g_autofree char *old_line = g_strdup (self->command_line);

      ph_process_set_cmdline (self, cmdline);
      changed = TRUE;
      identity_inputs_changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARGV]);
      if (g_strcmp0 (old_line, self->command_line) != 0)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMMAND_LINE]);
    }

  if (changed)
    g_clear_pointer (&self->search_text, g_free);
  if (with_identity && identity_inputs_changed && ph_process_update_identity (self) &&
      identity_changed != NULL)
    *identity_changed = TRUE;

  g_object_thaw_notify (G_OBJECT (self));

  return changed;
}

/**
 * ph_process_get_search_text:
 *
 * What a search looks at in the process, case-folded once for every search: its name,
 * command line, executable, unit, app ID and its group's name and subtitle, each after a
 * U+001F separator (which no search word holds, so no word matches across two of them).
 * Made when first asked and again after the process changed; not for threads.
 */
const char *
ph_process_get_search_text (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), "");

  if (self->search_text == NULL)
    {
      const char *parts[] = {
        ph_process_get_comm (self), self->command_line, ph_process_get_exe (self),
        ph_process_get_unit (self), ph_process_get_app_id (self),
        ph_app_identity_get_name (self->identity), ph_app_identity_get_subtitle (self->identity),
      };
      g_autoptr(GString) joined = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
        {
          g_string_append_c (joined, '\x1f');
          if (parts[i] != NULL)
            g_string_append (joined, parts[i]);
        }
      self->search_text = g_utf8_casefold (joined->str, (gssize) joined->len);
    }
  return self->search_text;
}

gint64
ph_process_get_pid (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), 0);
  return self->pid;
}

guint64
ph_process_get_start_time (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), 0);
  return self->start_time;
}

gint64
ph_process_get_ppid (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), -1);
  return self->ppid;
}

gint64
ph_process_get_uid (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), -1);
  return self->uid;
}

#define TEXT_GETTER(field)                                   \
  const char *                                               \
  ph_process_get_##field (PhProcess *self)                   \
  {                                                          \
    g_return_val_if_fail (PH_IS_PROCESS (self), NULL);       \
    return self->field.display;                              \
  }

TEXT_GETTER (user)
TEXT_GETTER (comm)
TEXT_GETTER (exe)
TEXT_GETTER (cwd)
TEXT_GETTER (cgroup)
TEXT_GETTER (manager)
TEXT_GETTER (unit)
TEXT_GETTER (app_id)
TEXT_GETTER (container)
TEXT_GETTER (container_kind)
TEXT_GETTER (slice)
TEXT_GETTER (app_name)
TEXT_GETTER (app_icon)

#undef TEXT_GETTER

/* The exact bytes, for comparing and for JSON; may be invalid UTF-8. */
/* The program's name for people: comm, unless the kernel cut it at 15 bytes and the base
 * name of argv[0] or of the executable is the whole of it ("ph-test-listene"). */
char *
ph_process_dup_display_name (PhProcess *self)
{
  const char *comm;
  const char *candidates[2];

  g_return_val_if_fail (PH_IS_PROCESS (self), NULL);

  comm = self->comm.display;
  if (comm == NULL)
    return NULL;
  if (strlen (comm) < 15)
    return g_strdup (comm);

  candidates[0] = self->argv != NULL ? self->argv[0] : NULL;
  candidates[1] = self->exe.display;
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *base = NULL;

      if (candidates[i] == NULL || *candidates[i] == '\0')
        continue;
      base = g_path_get_basename (candidates[i]);
      if (g_str_has_prefix (base, comm))
        return g_steal_pointer (&base);
    }
  return g_strdup (comm);
}

const char *
ph_process_get_comm_raw (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), NULL);
  return self->comm.raw;
}

const char *
ph_process_get_exe_raw (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), NULL);
  return self->exe.raw;
}

const char *
ph_process_get_cwd_raw (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), NULL);
  return self->cwd.raw;
}

/**
 * ph_process_get_argv:
 *
 * Returns: (nullable): the arguments, each in its display form; %NULL when the command
 *   line is unknown
 */
const char * const *
ph_process_get_argv (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), NULL);
  return (const char * const *) self->argv;
}

/* The arguments joined for a person to read (and paste into a shell). */
const char *
ph_process_get_command_line (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), NULL);
  return self->command_line;
}

/**
 * ph_process_get_cmdline_bytes:
 *
 * Returns: (nullable) (transfer none): the exact bytes of /proc/PID/cmdline without the
 *   last NUL
 */
GBytes *
ph_process_get_cmdline_bytes (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), NULL);
  return self->cmdline;
}

/**
 * ph_process_dup_argv_raw:
 *
 * Returns: (transfer full) (nullable): the exact arguments (not necessarily UTF-8)
 */
char **
ph_process_dup_argv_raw (PhProcess *self)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  const char *data;
  gsize len;
  gsize start = 0;

  g_return_val_if_fail (PH_IS_PROCESS (self), NULL);

  if (self->cmdline == NULL)
    return NULL;

  builder = g_strv_builder_new ();
  data = g_bytes_get_data (self->cmdline, &len);
  for (gsize i = 0; len > 0 && i <= len; i++)
    {
      if (i == len || data[i] == '\0')
        {
          g_strv_builder_take (builder, g_strndup (data + start, i - start));
          start = i + 1;
        }
    }
  return g_strv_builder_end (builder);
}

/**
 * ph_process_get_identity:
 *
 * Returns: (transfer none): the application this process belongs to: the group it is
 *   listed under, with its name, icon and kind
 */
PhAppIdentity *
ph_process_get_identity (PhProcess *self)
{
  g_return_val_if_fail (PH_IS_PROCESS (self), NULL);
  return self->identity;
}
