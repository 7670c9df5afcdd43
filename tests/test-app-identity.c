/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-identity.c: naming and grouping the owners of listening sockets */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ph-app-identity.h"
#include "ph-protocol-defs.h"
#include "ph-test-utils.h"

/* Facts written compactly: argv words are separated by '|'. */
typedef struct
{
  const char *argv;
  const char *cwd;
  const char *exe;
  const char *comm;
  const char *manager;
  const char *unit;
  const char *app_id;
} Facts;

static PhAppIdentity *
identify (const Facts *f)
{
  g_auto(GStrv) argv = f->argv ? g_strsplit (f->argv, "|", -1) : NULL;
  PhProcessFacts facts = {
    .comm = f->comm,
    .exe = f->exe,
    .cwd = f->cwd,
    .argv = (const char * const *) argv,
    .manager = f->manager ? f->manager : "session",
    .unit = f->unit,
    .app_id = f->app_id,
    .uid = getuid (),
    .user = g_get_user_name (),
  };

  return ph_app_identity_new_for_process (&facts);
}

static void
assert_identity (PhAppIdentity *identity,
                 PhAppKind      kind,
                 const char    *name,
                 const char    *subtitle)
{
  g_assert_nonnull (identity);
  g_assert_cmpstr (ph_app_identity_get_name (identity), ==, name);
  g_assert_cmpstr (ph_app_identity_get_subtitle (identity), ==, subtitle);
  g_assert_cmpint (ph_app_identity_get_kind (identity), ==, kind);
  g_assert_nonnull (ph_app_identity_get_key (identity));
  g_assert_nonnull (ph_app_identity_get_icon_name (identity));
  g_assert_true (G_IS_ICON (ph_app_identity_get_icon (identity)));
}

/* A process and who it is: kind, name and subtitle always; the key, description and icon
 * name where given (NULL: not checked; NO_DESCRIPTION: it has none). */
typedef struct
{
  Facts       facts;
  PhAppKind   kind;
  const char *name, *subtitle;                 /* always checked */
  const char *key, *description, *icon_name;   /* where given */
} Case;

static const char NO_DESCRIPTION[] = "(no description)";

static void
check_cases (const Case *cases,
             gsize       n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      const Case *c = &cases[i];
      g_autoptr(PhAppIdentity) identity = identify (&c->facts);

      g_test_message ("%s → %s, %s", c->facts.argv != NULL ? c->facts.argv : "(no argv)",
                      ph_app_identity_get_name (identity),
                      ph_app_identity_get_subtitle (identity));
      assert_identity (identity, c->kind, c->name, c->subtitle);
      if (c->key != NULL)
        g_assert_cmpstr (ph_app_identity_get_key (identity), ==, c->key);
      if (c->description == NO_DESCRIPTION)
        g_assert_null (ph_app_identity_get_description (identity));
      else if (c->description != NULL)
        g_assert_cmpstr (ph_app_identity_get_description (identity), ==, c->description);
      if (c->icon_name != NULL)
        g_assert_cmpstr (ph_app_identity_get_icon_name (identity), ==, c->icon_name);
    }
}

/* ---------------------------------------------------------------------------------------
 * Dev servers named by project folder (the working directory)
 * ------------------------------------------------------------------------------------- */

static void
test_dev_servers (void)
{
  static const struct
  {
    Facts facts;
    const char *name;
    const char *subtitle;
    const char *tool_id;
  } cases[] = {
    /* JavaScript */
    { { "node|/home/u/src/shop/node_modules/.bin/vite|--port|3000", "/home/u/src/shop",
        "/usr/bin/node", "node" }, "shop", "Vite dev server", "vite" },
    { { "node|/home/u/src/shop/node_modules/vite/bin/vite.js", "/home/u/src/shop/",
        "/usr/bin/node", "node" }, "shop", "Vite dev server", "vite" },
    { { "/usr/local/bin/node|/home/u/src/app/node_modules/.pnpm/vite@5.4.1/node_modules/vite/bin/vite.js",
        "/home/u/src/app", "/usr/local/bin/node", "node" }, "app", "Vite dev server", "vite" },
    { { "node|node_modules/.bin/vitepress|dev|docs", "/home/u/src/handbook", "/usr/bin/node",
        "node" }, "handbook", "VitePress dev server", "vitepress" },
    { { "next-server (v14.2.3)", "/home/u/src/blog", "/usr/bin/node", "next-server (v1" },
      "blog", "Next.js dev server", "nextjs" },
    { { "node|/home/u/src/blog/node_modules/.bin/next|dev", "/home/u/src/blog", "/usr/bin/node",
        "node" }, "blog", "Next.js dev server", "nextjs" },
    { { "node|/home/u/src/admin/node_modules/.bin/ng|serve|--port|4200", "/home/u/src/admin",
        "/usr/bin/node", "node" }, "admin", "Angular dev server", "angular" },
    { { "node|/home/u/src/admin/node_modules/.bin/ng|build", "/home/u/src/admin",
        "/usr/bin/node", "node" }, "admin", "Node.js app", "node" },
    { { "node|/w/spa/node_modules/.bin/webpack|serve|--mode|development", "/w/spa",
        "/usr/bin/node", "node" }, "spa", "webpack dev server", "webpack" },
    { { "node|/w/spa/node_modules/webpack-dev-server/bin/webpack-dev-server.js", "/w/spa",
        "/usr/bin/node", "node" }, "spa", "webpack dev server", "webpack-dev-server" },
    { { "node|/w/p/node_modules/.bin/parcel|index.html", "/w/p", "/usr/bin/node", "node" },
      "p", "Parcel dev server", "parcel" },
    { { "node|/w/site/node_modules/.bin/astro|dev", "/w/site", "/usr/bin/node", "node" },
      "site", "Astro dev server", "astro" },
    { { "node|/w/n/node_modules/nuxi/bin/nuxi.mjs|dev", "/w/n", "/usr/bin/node", "node" },
      "n", "Nuxt dev server", "nuxt" },
    { { "node|/w/r/node_modules/@remix-run/dev/dist/cli.js|dev", "/w/r", "/usr/bin/node",
        "node" }, "r", "Remix dev server", "remix" },
    { { "node|/w/ui/node_modules/.bin/storybook|dev|-p|6006", "/w/ui", "/usr/bin/node", "node" },
      "ui", "Storybook dev server", "storybook" },
    { { "node|/w/cra/node_modules/react-scripts/scripts/start.js", "/w/cra", "/usr/bin/node",
        "node" }, "cra", "Create React App dev server", "create-react-app" },
    { { "node|/w/g/node_modules/gatsby/dist/commands/develop-process.js", "/w/g",
        "/usr/bin/node", "node" }, "g", "Gatsby dev server", "gatsby" },
    { { "node|/w/e/node_modules/.bin/eleventy|--serve", "/w/e", "/usr/bin/node", "node" },
      "e", "Eleventy dev server", "eleventy" },
    { { "node|/w/m/node_modules/@expo/cli/build/bin/cli|start", "/w/m", "/usr/bin/node",
        "node" }, "m", "Expo dev server", "expo" },
    { { "node|/usr/lib/node_modules/http-server/bin/http-server|-p|8080", "/home/u/public",
        "/usr/bin/node", "node" }, "public", "http-server file server", "http-server" },
    { { "node|/home/u/.npm/_npx/1/node_modules/.bin/serve|dist", "/w/out", "/usr/bin/node",
        "node" }, "out", "serve file server", "serve" },
    { { "node|--inspect=9229|-r|ts-node/register|/w/api/src/server.ts", "/w/api",
        "/usr/bin/node", "node" }, "api", "Node.js app", "node" },
    { { "node|server.js", "/home/u/src/api", "/usr/bin/node", "node" },
      "api", "Node.js app", "node" },
    { { "bun|run|/w/x/index.ts", "/w/x", "/home/u/.bun/bin/bun", "bun" },
      "x", "Bun app", "bun" },
    { { "bun|/w/x/node_modules/.bin/vite", "/w/x", "/home/u/.bun/bin/bun", "bun" },
      "x", "Vite dev server", "vite" },
    { { "deno|run|-A|--watch|main.ts", "/w/fresh", "/home/u/.deno/bin/deno", "deno" },
      "fresh", "Deno app", "deno" },
    { { "/usr/bin/esbuild|app.ts|--bundle|--serve=8000", "/w/es", "/usr/bin/esbuild",
        "esbuild" }, "es", "esbuild dev server", "esbuild" },

    /* Python */
    { { "python3|manage.py|runserver|0.0.0.0:8000", "/home/u/src/site", "/usr/bin/python3.13",
        "python3" }, "site", "Django dev server", "django" },
    { { "/home/u/src/site/.venv/bin/python|-m|django|runserver", "/home/u/src/site",
        "/usr/bin/python3.13", "python" }, "site", "Django dev server", "django" },
    { { "/home/u/.venv/bin/python|/home/u/.venv/bin/flask|run|--debug", "/home/u/src/hello",
        "/usr/bin/python3.13", "flask" }, "hello", "Flask dev server", "flask" },
    { { "python|-m|flask|--app|hello|run", "/home/u/src/hello", "/usr/bin/python3.13",
        "python" }, "hello", "Flask dev server", "flask" },
    { { "python3|-m|http.server|8000", "/home/u/www", "/usr/bin/python3.13", "python3" },
      "www", "Python file server", "python-http-server" },
    { { "python3|-u|-mhttp.server", "/home/u/www", "/usr/bin/python3.13", "python3" },
      "www", "Python file server", "python-http-server" },
    { { "/usr/bin/python3|/home/u/src/api/.venv/bin/uvicorn|main:app|--reload",
        "/home/u/src/api", "/usr/bin/python3.13", "uvicorn" },
      "api", "Uvicorn web server", "uvicorn" },
    { { "gunicorn: master [app:app]", "/srv/app", "/usr/bin/python3.11", "gunicorn" },
      "app", "Gunicorn web server", "gunicorn" },
    { { "/usr/bin/python3|/home/u/.local/bin/hypercorn|app:app", "/w/h", "/usr/bin/python3.13",
        "hypercorn" }, "h", "Hypercorn web server", "hypercorn" },
    { { "python3|/home/u/.venv/bin/fastapi|dev|main.py", "/w/fa", "/usr/bin/python3.13",
        "fastapi" }, "fa", "FastAPI dev server", "fastapi" },
    { { "/usr/bin/python3|/home/u/.local/bin/jupyter-lab", "/home/u/notebooks",
        "/usr/bin/python3.13", "jupyter-lab" }, "notebooks", "Jupyter notebook server",
      "jupyter" },
    { { "python3|-m|notebook", "/home/u/nb", "/usr/bin/python3.13", "python3" },
      "nb", "Jupyter notebook server", "jupyter" },
    { { "/usr/bin/python3|/home/u/.local/bin/mkdocs|serve", "/home/u/docs",
        "/usr/bin/python3.13", "mkdocs" }, "docs", "MkDocs dev server", "mkdocs" },
    { { "python3|/home/u/.venv/bin/streamlit|run|app.py", "/w/dash", "/usr/bin/python3.13",
        "streamlit" }, "dash", "Streamlit app", "streamlit" },
    /* a project's own serve.py is not the "serve" tool */
    { { "python3|serve.py", "/home/u/src/tool", "/usr/bin/python3.13", "python3" },
      "tool", "Python app", "python" },

    /* Ruby, PHP, Elixir */
    { { "ruby|bin/rails|server|-p|3000", "/home/u/src/store", "/usr/bin/ruby3.3", "ruby" },
      "store", "Rails dev server", "rails" },
    { { "puma 6.4.2 (tcp://0.0.0.0:3000) [store]", "/home/u/src/store", "/usr/bin/ruby3.3",
        "ruby" }, "store", "Puma web server", "puma" },
    { { "ruby|/usr/local/bin/jekyll|serve|--livereload", "/home/u/site", "/usr/bin/ruby3.3",
        "jekyll" }, "site", "Jekyll dev server", "jekyll" },
    { { "php|-S|localhost:8000|-t|public", "/home/u/src/legacy", "/usr/bin/php8.4", "php" },
      "legacy", "PHP dev server", "php" },
    { { "php8.2|-S|0.0.0.0:8080", "/home/u/src/legacy", "/usr/bin/php8.2", "php8.2" },
      "legacy", "PHP dev server", "php" },
    { { "php|artisan|serve", "/home/u/src/shop", "/usr/bin/php8.4", "php" },
      "shop", "Laravel dev server", "laravel" },
    { { "/usr/lib/erlang/erts-15/bin/beam.smp|--|-root|/usr/lib/erlang|-progname|erl|--|"
        "-noshell|-s|elixir|start_cli|-extra|/usr/bin/mix|phx.server", "/w/chat",
        "/usr/lib/erlang/erts-15/bin/beam.smp", "beam.smp" }, "chat", "Phoenix dev server",
      "phoenix" },

    /* native tools */
    { { "hugo|server|-D", "/home/u/blog", "/usr/bin/hugo", "hugo" },
      "blog", "Hugo dev server", "hugo" },
    { { "zola|serve", "/home/u/z", "/usr/bin/zola", "zola" }, "z", "Zola dev server", "zola" },
    { { "trunk|serve|--open", "/home/u/yew", "/home/u/.cargo/bin/trunk", "trunk" },
      "yew", "Trunk dev server", "trunk" },
    { { "mdbook|serve", "/home/u/book", "/usr/bin/mdbook", "mdbook" },
      "book", "mdBook dev server", "mdbook" },
    { { "target/debug/api", "/home/u/src/api", "/home/u/src/api/target/debug/api", "api" },
      "api", "Rust app", "rust" },
    { { "/tmp/go-build1234/b001/exe/main", "/home/u/src/svc", "/tmp/go-build1234/b001/exe/main",
        "main" }, "svc", "Go app", "go-run" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PhAppIdentity) identity = identify (&cases[i].facts);

      g_test_message ("%s → %s, %s", cases[i].facts.argv,
                      ph_app_identity_get_name (identity), ph_app_identity_get_subtitle (identity));
      assert_identity (identity, PH_APP_KIND_DEV_SERVER, cases[i].name, cases[i].subtitle);
      g_assert_cmpstr (ph_app_identity_get_tool_id (identity), ==, cases[i].tool_id);
      g_assert_nonnull (ph_app_identity_get_tool (identity));
    }
}

static void
test_dev_server_key (void)
{
  Facts shop = { "node|/home/u/src/shop/node_modules/.bin/vite", "/home/u/src/shop",
                 "/usr/bin/node", "node" };
  Facts shop_again = { "node|/home/u/src/shop/node_modules/vite/bin/vite.js|--port|5174",
                       "/home/u/src/shop", "/usr/bin/node", "node" };
  Facts other_shop = { "node|/w/shop/node_modules/.bin/vite", "/w/shop", "/usr/bin/node",
                       "node" };
  Facts django_shop = { "python3|manage.py|runserver", "/home/u/src/shop", "/usr/bin/python3",
                        "python3" };
  g_autoptr(PhAppIdentity) a = identify (&shop);
  g_autoptr(PhAppIdentity) b = identify (&shop_again);
  g_autoptr(PhAppIdentity) c = identify (&other_shop);
  g_autoptr(PhAppIdentity) d = identify (&django_shop);

  /* one group per tool and project folder */
  g_assert_cmpstr (ph_app_identity_get_key (a), ==, "dev:vite:/home/u/src/shop");
  g_assert_cmpstr (ph_app_identity_get_key (a), ==, ph_app_identity_get_key (b));
  g_assert_cmpstr (ph_app_identity_get_key (a), !=, ph_app_identity_get_key (c));
  g_assert_cmpstr (ph_app_identity_get_key (a), !=, ph_app_identity_get_key (d));
  g_assert_cmpstr (ph_app_identity_get_name (c), ==, "shop");
  g_assert_cmpstr (ph_app_identity_get_description (a), ==, "/home/u/src/shop");
  g_assert_cmpstr (ph_app_identity_get_tool (a), ==, "Vite");
  g_assert_cmpstr (ph_app_identity_get_icon_name (a), ==, "applications-engineering-symbolic");
}

/* Without a project folder a tool is named by itself; a generic runtime is not a tool. */
static void
test_dev_server_without_project (void)
{
  const char *home = g_get_home_dir ();
  const Case cases[] = {
    { { "node|/opt/tools/node_modules/.bin/vite", home, "/usr/bin/node", "node" },
      PH_APP_KIND_DEV_SERVER, "Vite", "Vite dev server", NULL, NO_DESCRIPTION },
    { { "ollama|serve", home, "/usr/local/bin/ollama", "ollama" },
      PH_APP_KIND_DEV_SERVER, "Ollama", "Ollama model server" },
    { { "python3|-m|http.server", "/", "/usr/bin/python3.13", "python3" },
      PH_APP_KIND_DEV_SERVER, "Python", "Python file server" },
    { { "node|server.js", "/", "/usr/bin/node", "node" },
      PH_APP_KIND_PROGRAM, "server.js", "Program" },
    { { "node|server.js", NULL, "/usr/bin/node", "node" },
      PH_APP_KIND_PROGRAM, "server.js", "Program" },
    { { "/usr/bin/python3|/usr/bin/glances|-w", "/home/u/Downloads", "/usr/bin/python3.13",
        "glances" }, PH_APP_KIND_PROGRAM, "glances", "Program" },
    { { "hugo|--minify", "/home/u/blog", "/usr/bin/hugo", "hugo" },
      PH_APP_KIND_PROGRAM, "hugo", "Program" },
    { { "esbuild|app.ts|--bundle", "/w/es", "/usr/bin/esbuild", "esbuild" },
      PH_APP_KIND_PROGRAM, "esbuild", "Program" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

/* ---------------------------------------------------------------------------------------
 * The project found by walking up from the script when the working directory says nothing
 * ------------------------------------------------------------------------------------- */

static char *
make_tree (const char * const *files)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp ("porthole-identity-XXXXXX", &error);

  g_assert_no_error (error);
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (root, files[i], NULL);
      g_autofree char *dir = g_path_get_dirname (path);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      g_file_set_contents (path, "", 0, &error);
      g_assert_no_error (error);
    }
  return root;
}

static void
test_project_walk_up (void)
{
  const char *files[] = {
    "src/shop/package.json",
    "src/shop/node_modules/vite/package.json",
    "src/shop/node_modules/vite/bin/vite.js",
    "src/site/manage.py",
    "src/api/pyproject.toml",
    "src/api/.venv/pyvenv.cfg",
    "src/api/.venv/bin/uvicorn",
    "src/svc/Cargo.toml",
    "src/svc/target/release/svc",
    "loose/tool/bin/vite",
    NULL
  };
  g_autofree char *root = make_tree (files);
  g_autofree char *vite = g_build_filename (root, "src/shop/node_modules/vite/bin/vite.js",
                                            NULL);
  g_autofree char *vite_bin = g_build_filename (root, "src/shop/node_modules/.bin/vite", NULL);
  g_autofree char *manage = g_build_filename (root, "src/site/manage.py", NULL);
  g_autofree char *uvicorn = g_build_filename (root, "src/api/.venv/bin/uvicorn", NULL);
  g_autofree char *svc = g_build_filename (root, "src/svc/target/release/svc", NULL);
  g_autofree char *loose = g_build_filename (root, "loose/tool/bin/vite", NULL);
  g_autofree char *shop_dir = g_build_filename (root, "src/shop", NULL);
  g_autofree char *argv1 = g_strconcat ("node|", vite, NULL);
  g_autofree char *argv2 = g_strconcat ("node|", vite_bin, "|--host", NULL);
  g_autofree char *argv3 = g_strconcat ("python3|", manage, "|runserver", NULL);
  g_autofree char *argv4 = g_strconcat ("/usr/bin/python3|", uvicorn, "|main:app", NULL);
  g_autofree char *argv5 = g_strconcat ("node|", loose, NULL);
  Facts cases[] = {
    { argv1, "/", "/usr/bin/node", "node" },
    { argv2, NULL, "/usr/bin/node", "node" },
    { argv3, NULL, "/usr/bin/python3", "python3" },
    { argv4, "/", "/usr/bin/python3", "uvicorn" },
    { svc, NULL, svc, "svc" },
    { argv5, NULL, "/usr/bin/node", "node" },
  };
  const char *names[] = { "shop", "shop", "site", "api", "svc", "Vite" };
  const char *subtitles[] = { "Vite dev server", "Vite dev server", "Django dev server",
                              "Uvicorn web server", "Rust app", "Vite dev server" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PhAppIdentity) identity = identify (&cases[i]);

      assert_identity (identity, PH_APP_KIND_DEV_SERVER, names[i], subtitles[i]);
    }

  {
    g_autoptr(PhAppIdentity) identity = identify (&cases[0]);

    g_assert_cmpstr (ph_app_identity_get_description (identity), ==, shop_dir);
  }

  ph_test_remove_tree (root);
}

/* ---------------------------------------------------------------------------------------
 * Services, apps, containers, programs
 * ------------------------------------------------------------------------------------- */

static void
test_system_service (void)
{
  static const Case cases[] = {
    /* the unit names it; that it is nginx gives it its icon */
    { { "nginx: master process /usr/sbin/nginx -g daemon on;", "/", "/usr/sbin/nginx", "nginx",
        "system-service", "nginx.service" },
      PH_APP_KIND_SYSTEM_SERVICE, "nginx", "System service", "system-service:nginx.service",
      NULL, "network-server-symbolic" },
    /* a service is named by its unit even when it runs a dev tool */
    { { "gunicorn: master [app:app]", "/srv/app", "/usr/bin/python3.11", "gunicorn",
        "system-service", "shop-web.service" },
      PH_APP_KIND_SYSTEM_SERVICE, "shop-web", "System service" },
    { { "/usr/bin/dbus-daemon|--system", "/", "/usr/bin/dbus-daemon", "dbus-daemon",
        "system-service", "dbus.service" },
      PH_APP_KIND_SYSTEM_SERVICE, "dbus", "System service", NULL, NULL, "system-run-symbolic" },
  };
  g_autoptr(PhAppIdentity) dbus = identify (&cases[2].facts);
  g_autofree char *contents = NULL;

  check_cases (cases, G_N_ELEMENTS (cases));

  /* the description comes from the real unit file, where there is one */
  if (g_file_get_contents ("/usr/lib/systemd/system/dbus.service", &contents, NULL, NULL)
      || g_file_get_contents ("/lib/systemd/system/dbus.service", &contents, NULL, NULL))
    {
      g_assert_nonnull (ph_app_identity_get_description (dbus));
      g_assert_nonnull (strstr (contents, ph_app_identity_get_description (dbus)));
    }
}

static void
test_user_service (void)
{
  g_autofree char *units = g_build_filename (g_get_user_config_dir (), "systemd", "user", NULL);
  static const Case cases[] = {
    { { "node|/home/u/src/api/server.js", "/home/u/src/api", "/usr/bin/node", "node",
        "user-service", "shop-api.service" },
      PH_APP_KIND_USER_SERVICE, "shop-api", "User service", NULL, "Shop API" },
    { { "node|/home/u/src/api/server.js", "/home/u/src/api", "/usr/bin/node", "node",
        "user-service", "shop-api@blue.service" },
      PH_APP_KIND_USER_SERVICE, "shop-api@blue", "User service", NULL,
      "Shop API for blue (shop-api@blue, 100%)" },
    /* a terminal tab's scope is not a service */
    { { "python3|-m|http.server", "/home/u/www", "/usr/bin/python3", "python3",
        "user-service", "vte-spawn-0a1b2c.scope" },
      PH_APP_KIND_DEV_SERVER, "www", "Python file server" },
  };
  g_autoptr(PhAppIdentity) api = NULL;

  ph_test_write_file (units, "shop-api.service",
                      "# test unit\n[Unit]\nDescription = Shop API\n\n[Service]\n"
                      "Description=not this one\nExecStart=/usr/bin/node server.js\n");
  ph_test_write_file (units, "shop-api@.service",
                      "[Unit]\nDescription=Shop API for %i (%N, 100%%)\n"
                      "[Service]\nExecStart=true\n");

  check_cases (cases, G_N_ELEMENTS (cases));
  api = identify (&cases[0].facts);
  g_assert_cmpstr (ph_app_identity_get_key (api), !=, "system-service:shop-api.service");
}

static void
test_desktop_apps (void)
{
  g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  static const Case cases[] = {
    { { "/usr/bin/shop-manager", "/home/u", "/usr/bin/shop-manager", "shop-manager", "app",
        "app-gnome-org.example.Shop-1234.scope", "org.example.Shop" },
      PH_APP_KIND_DESKTOP_APP, "Shop Manager", "Application", "app:org.example.Shop",
      "Manage the shop", "org.example.Shop" },
    { { "/usr/bin/shop-manager", "/home/u", "/usr/bin/shop-manager", "shop-manager", "app",
        "app-gnome-org.example.Shop-1234.scope", "gnome-org.example.Shop" },
      PH_APP_KIND_DESKTOP_APP, "Shop Manager", "Application" },
    { { "/app/bin/shop-manager", "/home/u", "/app/bin/shop-manager", "shop-manager", "flatpak",
        "app-flatpak-org.example.Shop-99.scope", "org.example.Shop" },
      PH_APP_KIND_FLATPAK, "Shop Manager", "Flatpak app", "flatpak:org.example.Shop" },
    { { "/usr/bin/thing", "/", "/usr/bin/thing", "thing", "app",
        "app-org.example.Missing-1.scope", "org.example.Missing" },
      PH_APP_KIND_DESKTOP_APP, "org.example.Missing", "Application", NULL, NULL,
      "org.example.Missing" },
    { { "/usr/bin/painter", "/", "/usr/bin/painter", "painter", "app",
        "app-org.example.Painter-1.scope", "org.example.Painter" },
      PH_APP_KIND_DESKTOP_APP, "Painter", "Application", NULL, NULL, "org.example.Painter" },
    /* an editor that runs a dev server in its terminal: the dev server wins */
    { { "node|/home/u/src/shop/node_modules/.bin/vite", "/home/u/src/shop", "/usr/bin/node",
        "node", "app", "app-gnome-org.example.Shop-7.scope", "org.example.Shop" },
      PH_APP_KIND_DEV_SERVER, "shop", "Vite dev server" },
    /* but a desktop app that happens to be written in Python is the app, not "a Python app" */
    { { "python3|/home/u/.local/share/shop/shop.py", "/home/u/Documents", "/usr/bin/python3",
        "shop.py", "app", "app-gnome-org.example.Shop-8.scope", "org.example.Shop" },
      PH_APP_KIND_DESKTOP_APP, "Shop Manager", "Application" },
    /* a daemon that is also a desktop app (data/daemons.ini): the desktop entry wins */
    { { "/home/u/.local/share/Steam/ubuntu12_32/steam", "/home/u",
        "/home/u/.local/share/Steam/ubuntu12_32/steam", "steam", "app",
        "app-gnome-steam-4242.scope", "steam" },
      PH_APP_KIND_DESKTOP_APP, "Steam (Runtime)", "Application", "app:steam" },
  };
  g_autoptr(PhAppIdentity) painter = NULL;

  ph_test_write_file (apps, "org.example.Shop.desktop",
                      "[Desktop Entry]\nType=Application\nName=Shop Manager\n"
                      "Comment=Manage the shop\nExec=true\nIcon=org.example.Shop\n"
                      "Categories=Office;\n");
  ph_test_write_file (apps, "org.example.Painter.desktop",
                      "[Desktop Entry]\nType=Application\nName=Painter\nExec=true\n"
                      "Icon=/opt/painter/painter.png\n");
  ph_test_write_file (apps, "steam.desktop",
                      "[Desktop Entry]\nType=Application\nName=Steam (Runtime)\nExec=true\n"
                      "Icon=steam\nCategories=Game;\n");

  check_cases (cases, G_N_ELEMENTS (cases));
  /* an icon given as a file is a file icon */
  painter = identify (&cases[4].facts);
  g_assert_true (G_IS_FILE_ICON (ph_app_identity_get_icon (painter)));
}

static void
test_terminals (void)
{
  g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  static const Case cases[] = {
    { { "nc|-l|1234", "/home/u", "/usr/bin/nc.openbsd", "nc", "app",
        "app-org.example.Term-55.scope", "org.example.Term" },
      PH_APP_KIND_PROGRAM, "nc.openbsd", "Started in a terminal", NULL, NULL,
      "utilities-terminal-symbolic" },
    { { "python3|-m|http.server", "/home/u/www", "/usr/bin/python3", "python3", "app",
        "app-org.example.Term-55.scope", "org.example.Term" },
      PH_APP_KIND_DEV_SERVER, "www", "Python file server" },
    { { "nc|-l|1234", "/home/u", "/usr/bin/nc.openbsd", "nc", "app",
        "app-gnome-org.gnome.Console-3.scope", "org.gnome.Console" },
      PH_APP_KIND_PROGRAM, "nc.openbsd", "Started in a terminal" },
    { { "nc|-l|1234", "/home/u", "/usr/bin/nc.openbsd", "nc", "user-service",
        "vte-spawn-8f1e.scope", NULL },
      PH_APP_KIND_PROGRAM, "nc.openbsd", "Started in a terminal" },
  };

  ph_test_write_file (apps, "org.example.Term.desktop",
                      "[Desktop Entry]\nType=Application\nName=Term\nExec=true\n"
                      "Categories=System;TerminalEmulator;\n");

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_containers (void)
{
  static const char id[] = "3f2a1b9c0d12aabbccddeeff00112233445566778899aabbccddeeff00112233";
  PhProcessFacts docker = {
    .comm = "nginx", .exe = "/usr/sbin/nginx", .manager = "container", .container = id,
    .container_kind = "docker", .unit = "docker-3f2a1b9c0d12.scope",
  };
  PhProcessFacts podman = docker;
  PhProcessFacts unknown = docker;
  const char *proxy_argv[] = { "/usr/bin/docker-proxy", "-proto", "tcp", "-host-ip", "0.0.0.0",
                               "-host-port", "8080", "-container-ip", "172.17.0.2",
                               "-container-port", "80", NULL };
  PhProcessFacts proxy = {
    .comm = "docker-proxy", .exe = "/usr/bin/docker-proxy", .argv = proxy_argv,
    .manager = "system-service", .unit = "docker.service",
  };
  g_autoptr(PhAppIdentity) a = NULL;
  g_autoptr(PhAppIdentity) b = NULL;
  g_autoptr(PhAppIdentity) c = NULL;
  g_autoptr(PhAppIdentity) d = NULL;
  g_autofree char *key = g_strconcat ("container:", id, NULL);

  podman.container_kind = "libpod";
  unknown.container_kind = NULL;

  a = ph_app_identity_new_for_process (&docker);
  assert_identity (a, PH_APP_KIND_CONTAINER, "Container 3f2a1b9c0d12", "Docker container");
  g_assert_cmpstr (ph_app_identity_get_key (a), ==, key);
  g_assert_cmpstr (ph_app_identity_get_description (a), ==, "nginx");
  b = ph_app_identity_new_for_process (&podman);
  assert_identity (b, PH_APP_KIND_CONTAINER, "Container 3f2a1b9c0d12", "Podman container");
  c = ph_app_identity_new_for_process (&unknown);
  assert_identity (c, PH_APP_KIND_CONTAINER, "Container 3f2a1b9c0d12", "Container");
  d = ph_app_identity_new_for_process (&proxy);
  assert_identity (d, PH_APP_KIND_CONTAINER, "Published container ports", "Docker");
}

static void
test_programs (void)
{
  g_autofree char *key = g_strdup_printf ("program:%u:nc.openbsd", getuid ());
  const Case cases[] = {
    { { "nc|-l|1234", "/home/u", "/usr/bin/nc.openbsd", "nc" },
      PH_APP_KIND_PROGRAM, "nc.openbsd", "Program", key, "/usr/bin/nc.openbsd" },
    { { "/usr/bin/foo", "/", "/usr/bin/foo (deleted)", "foo" },
      PH_APP_KIND_PROGRAM, "foo", "Program" },
    { { NULL, NULL, NULL, "kworker" }, PH_APP_KIND_PROGRAM, "kworker", "Program" },
    { { 0 }, PH_APP_KIND_PROGRAM, "Unknown program", "Program" },
    { { "/usr/libexec/thing|--daemon", NULL, NULL, NULL }, PH_APP_KIND_PROGRAM, "thing",
      "Program" },
  };
  PhProcessFacts other_user = {
    .comm = "printd", .exe = "/usr/sbin/printd", .manager = "none", .uid = 4242,
    .user = "alice",
  };

  check_cases (cases, G_N_ELEMENTS (cases));

  if (getuid () != 4242)
    {
      g_autoptr(PhAppIdentity) identity = ph_app_identity_new_for_process (&other_user);

      assert_identity (identity, PH_APP_KIND_PROGRAM, "printd", "Program run by alice");
      g_assert_cmpstr (ph_app_identity_get_key (identity), ==, "program:4242:printd");
    }
}

/* ---------------------------------------------------------------------------------------
 * Daemons named as people know them (data/daemons.ini)
 * ------------------------------------------------------------------------------------- */

static void
test_daemons (void)
{
  static const struct
  {
    Facts facts;
    const char *name;
    const char *subtitle;
    const char *icon;
  } cases[] = {
    /* Debian's redis-server is a symlink to redis-check-rdb, and retitles itself */
    { { "/usr/bin/redis-server 127.0.0.1:6379", "/", "/usr/bin/redis-check-rdb",
        "redis-server" }, "Redis", "Database server", "network-server-symbolic" },
    { { "redis-server *:6380", "/var/lib/redis", "/usr/bin/redis-check-rdb", "redis-server" },
      "Redis", "Database server", "network-server-symbolic" },
    { { "/usr/lib/postgresql/17/bin/postgres|-D|/var/lib/postgresql/17/main", "/var/lib/pg",
        "/usr/lib/postgresql/17/bin/postgres", "postgres" }, "PostgreSQL", "Database server",
      "network-server-symbolic" },
    { { "postgres: 17/main: checkpointer ", "/", "/usr/lib/postgresql/17/bin/postgres",
        "postgres" }, "PostgreSQL", "Database server", "network-server-symbolic" },
    { { "/usr/sbin/mysqld", "/", "/usr/sbin/mysqld", "mysqld" }, "MySQL", "Database server",
      "network-server-symbolic" },
    { { "/usr/sbin/mariadbd", "/", "/usr/sbin/mariadbd", "mariadbd" }, "MariaDB",
      "Database server", "network-server-symbolic" },
    { { "mongod|--config|/etc/mongod.conf", "/", "/usr/bin/mongod", "mongod" }, "MongoDB",
      "Database server", "network-server-symbolic" },
    { { "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;", "/",
        "/usr/sbin/nginx", "nginx" }, "nginx", "Web server", "network-server-symbolic" },
    { { "/usr/sbin/apache2|-k|start", "/", "/usr/sbin/apache2", "apache2" }, "Apache httpd",
      "Web server", "network-server-symbolic" },
    { { "/usr/sbin/httpd|-DFOREGROUND", "/", "/usr/sbin/httpd", "httpd" }, "Apache httpd",
      "Web server", "network-server-symbolic" },
    { { "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", "/", "/usr/sbin/sshd",
        "sshd" }, "OpenSSH", "Remote login server", "utilities-terminal-symbolic" },
    { { "sshd-session: alice [priv]", "/", "/usr/lib/openssh/sshd-session", "sshd-session" },
      "OpenSSH", "Remote login server", "utilities-terminal-symbolic" },
    { { "/usr/sbin/cupsd|-l", "/", "/usr/sbin/cupsd", "cupsd" }, "CUPS", "Printing service",
      "printer-symbolic" },
    { { "avahi-daemon: running [host.local]", "/", "/usr/sbin/avahi-daemon", "avahi-daemon" },
      "Avahi", "Network service", "network-workgroup-symbolic" },
    { { "/usr/sbin/dnsmasq|--port=5353|--no-daemon", "/", "/usr/sbin/dnsmasq", "dnsmasq" },
      "dnsmasq", "Network service", "network-workgroup-symbolic" },
    { { "/usr/lib/systemd/systemd-resolved", "/", "/usr/lib/systemd/systemd-resolved",
        "systemd-resolve" }, "systemd-resolved", "Network service",
      "network-workgroup-symbolic" },
    { { "/usr/bin/dockerd|-H|fd://", "/", "/usr/bin/dockerd", "dockerd" }, "Docker",
      "Container engine", "package-x-generic-symbolic" },
    { { "/usr/bin/containerd", "/", "/usr/bin/containerd", "containerd" }, "containerd",
      "Container engine", "package-x-generic-symbolic" },
    { { "/usr/bin/conmon|--api-version|1|-c|3f2a", "/", "/usr/bin/conmon", "conmon" },
      "Podman", "Container engine", "package-x-generic-symbolic" },
    { { "/usr/bin/pasta|--config-net|-t|8080-8080:8080-8080", "/", "/usr/bin/pasta.avx2",
        "pasta.avx2" }, "Podman", "Container engine", "package-x-generic-symbolic" },
    { { "/usr/bin/syncthing|serve|--no-browser", "/home/u", "/usr/bin/syncthing",
        "syncthing" }, "Syncthing", "File sync", "folder-remote-symbolic" },
    { { "/usr/lib/x86_64-linux-gnu/libexec/kdeconnectd", "/home/u",
        "/usr/lib/x86_64-linux-gnu/libexec/kdeconnectd", "kdeconnectd" }, "KDE Connect",
      "Phone link", "phone-symbolic" },
    { { "gjs|/home/u/.local/share/gnome-shell/extensions/gsconnect@andyholmes.github.io/service/daemon.js",
        "/home/u", "/usr/bin/gjs-console", "gjs" }, "GSConnect", "Phone link",
      "phone-symbolic" },
    { { "/home/u/.local/share/Steam/ubuntu12_32/steam|-silent", "/home/u",
        "/home/u/.local/share/Steam/ubuntu12_32/steam", "steam" }, "Steam", "Application",
      "applications-games-symbolic" },
    { { "/usr/share/spotify/spotify", "/home/u", "/usr/share/spotify/spotify", "spotify" },
      "Spotify", "Application", "audio-x-generic-symbolic" },
    /* a daemon started from a terminal tab is still the daemon */
    { { "redis-server|--port|7000", "/home/u", "/usr/bin/redis-check-rdb", "redis-server",
        "session", "vte-spawn-1a2b.scope" }, "Redis", "Database server",
      "network-server-symbolic" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PhAppIdentity) identity = identify (&cases[i].facts);
      g_autofree char *prefix = g_strdup_printf ("daemon:%u:", getuid ());

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].facts.argv);
      assert_identity (identity, PH_APP_KIND_PROGRAM, cases[i].name, cases[i].subtitle);
      g_assert_cmpstr (ph_app_identity_get_icon_name (identity), ==, cases[i].icon);
      g_assert_true (g_str_has_prefix (ph_app_identity_get_key (identity), prefix));
      g_assert_cmpstr (ph_app_identity_get_description (identity), ==, cases[i].facts.exe);
    }
}

/* What is not a daemon stays what it was; who runs it shows; the priorities hold. */
static void
test_daemon_priorities (void)
{
  /* gjs without GSConnect is just gjs */
  Facts gjs = { "gjs|/usr/share/org.example.Thing/main.js", "/", "/usr/bin/gjs-console",
                "gjs" };
  /* a dev server is still named after its project, even with a daemon's word in it */
  Facts vite = { "node|/home/u/src/nginx/node_modules/.bin/vite", "/home/u/src/nginx",
                 "/usr/bin/node", "node" };
  /* Steam in an app scope without a desktop entry (test_desktop_apps has the one with) */
  Facts steam_app = { "/home/u/.local/share/Steam/ubuntu12_32/steam", "/home/u",
                      "/home/u/.local/share/Steam/ubuntu12_32/steam", "steam", "app",
                      "app-gnome-steam-4242.scope", "steam" };
  /* a systemd unit: its name and description win */
  Facts redis_unit = { "/usr/bin/redis-server 127.0.0.1:6379", "/", "/usr/bin/redis-check-rdb",
                       "redis-server", "system-service", "redis-server.service" };
  PhProcessFacts other_user = {
    .comm = "postgres", .exe = "/usr/lib/postgresql/17/bin/postgres", .manager = "none",
    .uid = 4243, .user = "postgres",
  };
  g_autoptr(PhAppIdentity) a = identify (&gjs);
  g_autoptr(PhAppIdentity) b = identify (&vite);
  g_autoptr(PhAppIdentity) c = NULL;
  g_autoptr(PhAppIdentity) d = identify (&redis_unit);
  g_autoptr(PhAppIdentity) e = NULL;

  assert_identity (a, PH_APP_KIND_PROGRAM, "gjs-console", "Program");
  assert_identity (b, PH_APP_KIND_DEV_SERVER, "nginx", "Vite dev server");

  c = identify (&steam_app);
  assert_identity (c, PH_APP_KIND_PROGRAM, "Steam", "Application");

  assert_identity (d, PH_APP_KIND_SYSTEM_SERVICE, "redis-server", "System service");
  g_assert_cmpstr (ph_app_identity_get_key (d), ==, "system-service:redis-server.service");
  g_assert_cmpstr (ph_app_identity_get_icon_name (d), ==, "network-server-symbolic");

  if (getuid () != 4243)
    {
      e = ph_app_identity_new_for_process (&other_user);
      assert_identity (e, PH_APP_KIND_PROGRAM, "PostgreSQL", "Database server run by postgres");
      g_assert_cmpstr (ph_app_identity_get_key (e), ==, "daemon:4243:postgresql");
    }
}

static void
test_daemons_file_parses (void)
{
  const char *srcdir = g_getenv ("PORTHOLE_SRCDIR");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) lines = NULL;
  guint headers = 0;
  gsize length;
  guint n;

  g_assert_nonnull (srcdir);
  path = g_build_filename (srcdir, "data", "daemons.ini", NULL);
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  n = ph_app_identity_check_daemons (contents, length, &error);
  g_assert_no_error (error);
  g_test_message ("%u daemons", n);
  g_assert_cmpuint (n, >=, 20);

  /* every group is its own daemon: GKeyFile would merge a repeated group silently */
  g_key_file_load_from_data (keyfile, contents, length, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  groups = g_key_file_get_groups (keyfile, NULL);
  g_assert_cmpuint (g_strv_length (groups), ==, n);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    headers += lines[i][0] == '[';
  g_assert_cmpuint (headers, ==, n);

  /* the compiled-in copy is this file: every daemon named in it is recognised */
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) commands = g_key_file_get_string_list (keyfile, groups[i], "Commands",
                                                           NULL, NULL);
      g_autofree char *name = g_key_file_get_string (keyfile, groups[i], "Name", NULL);
      g_autofree char *argument = g_key_file_get_string (keyfile, groups[i], "Arguments", NULL);
      g_autofree char *command = g_strdup (commands[0]);
      g_autofree char *arg = NULL;
      g_autoptr(PhAppIdentity) identity = NULL;
      const char *argv[3] = { command, NULL, NULL };
      PhProcessFacts facts = {
        .comm = command, .argv = argv, .manager = "none", .uid = getuid (),
        .user = g_get_user_name (),
      };

      if (g_str_has_suffix (command, "*"))
        command[strlen (command) - 1] = '\0';
      if (argument != NULL)
        {
          arg = g_strdup_printf ("/x/%.*s/y", (int) strcspn (argument, ";"), argument);
          argv[1] = arg;
        }
      identity = ph_app_identity_new_for_process (&facts);
      g_test_message ("[%s] %s", groups[i], command);
      g_assert_cmpstr (ph_app_identity_get_name (identity), ==, name);
    }
}

static void
test_daemons_errors (void)
{
  static const struct
  {
    const char *data;
    const char *message;
  } cases[] = {
    { "[a]\nName=A\nKind=database\nIcon=x\nCommand=a;\n", "unknown key" },
    { "[a]\nKind=database\nIcon=x\nCommands=a;\n", "Name is missing" },
    { "[a]\nName=A\nIcon=x\nCommands=a;\n", "Kind is missing" },
    { "[a]\nName=A\nKind=database\nCommands=a;\n", "Icon is missing" },
    { "[a]\nName=A\nKind=toaster\nIcon=x\nCommands=a;\n", "Kind “toaster”" },
    { "[a]\nName=A\nKind=database\nIcon=x y\nCommands=a;\n", "themed icon" },
    { "[a]\nName=A\nKind=database\nIcon=x\n", "Commands is missing" },
    { "[a]\nName=A\nKind=database\nIcon=x\nCommands=a;;b;\n", "empty entry" },
    { "[a]\nName=A\nKind=database\nIcon=x\nCommands=/usr/bin/a;\n", "slash" },
    { "[a]\nName=A\nKind=database\nIcon=x\nCommands=a;\nArguments=b c;\n", "space" },
    { "no group\n", "" },
    { "# only a comment\n", "no daemons" },
  };
  const char *good = "[a]\nName=A\nKind=web-server\nIcon=x\nCommands=a;a2*;\n"
                     "[b]\nName=B\nKind=phone-link\nIcon=y\nCommands=gjs;\nArguments=b;\n";
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) case_error = NULL;

      g_assert_cmpuint (ph_app_identity_check_daemons (cases[i].data, strlen (cases[i].data),
                                                       &case_error), ==, 0);
      g_assert_error (case_error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE);
      g_test_message ("%s", case_error->message);
      g_assert_nonnull (strstr (case_error->message, cases[i].message));
    }
  g_assert_cmpuint (ph_app_identity_check_daemons (good, strlen (good), &error), ==, 2);
  g_assert_no_error (error);
}

static void
test_kernel_and_hidden (void)
{
  g_autoptr(PhAppIdentity) kernel = ph_app_identity_new_kernel ();
  g_autoptr(PhAppIdentity) postgres = ph_app_identity_new_hidden (117, "postgres");
  g_autoptr(PhAppIdentity) nameless = ph_app_identity_new_hidden (1234, NULL);
  PhAppKind kind;
  g_autofree char *name = NULL;

  assert_identity (kernel, PH_APP_KIND_KERNEL, "Kernel", "No process holds these sockets");
  g_assert_cmpstr (ph_app_identity_get_key (kernel), ==, "kernel");
  assert_identity (postgres, PH_APP_KIND_HIDDEN, "Another user: postgres", "Owner hidden");
  g_assert_cmpstr (ph_app_identity_get_key (postgres), ==, "hidden:117");
  assert_identity (nameless, PH_APP_KIND_HIDDEN, "Another user (ID 1234)", "Owner hidden");

  /* properties, for the list's expressions */
  g_object_get (postgres, "kind", &kind, "name", &name, NULL);
  g_assert_cmpint (kind, ==, PH_APP_KIND_HIDDEN);
  g_assert_cmpstr (name, ==, "Another user: postgres");
}

/* Owners out of sight are their own group, "not visible from here", with the reason as
 * its description: never the kernel's. */
static void
test_unseen (void)
{
  g_autoptr(PhAppIdentity) pidns = ph_app_identity_new_unseen (PH_UNSEEN_PID_NAMESPACE);
  g_autoptr(PhAppIdentity) no_proc = ph_app_identity_new_unseen (PH_UNSEEN_NO_PROC);
  g_autoptr(PhAppIdentity) other = ph_app_identity_new_unseen ("from-the-future");

  assert_identity (pidns, PH_APP_KIND_UNSEEN, "Owner Unknown", "Not visible from here");
  g_assert_cmpstr (ph_app_identity_get_key (pidns), ==, "unseen:pid-namespace");
  g_assert_nonnull (strstr (ph_app_identity_get_description (pidns), "sandbox"));
  g_assert_cmpstr (ph_app_identity_get_key (no_proc), ==, "unseen:no-proc");
  g_assert_nonnull (strstr (ph_app_identity_get_description (no_proc), "processes"));
  g_assert_nonnull (ph_app_identity_get_description (other));
  g_assert_false (ph_app_identity_equal (pidns, no_proc));
  g_assert_cmpstr (ph_app_kind_to_string (PH_APP_KIND_UNSEEN), ==, "unseen");
}

/* A desktop app this side has no entry for (inside a Flatpak, a host app's): the name and
 * icon the helper read from its entry on the host; without them, the app ID. */
static void
test_app_named_by_helper (void)
{
  PhProcessFacts facts = {
    .comm = "porthole-editor",
    .exe = "/usr/bin/porthole-editor",
    .cwd = "/",
    .manager = "app",
    .unit = "app-gnome-org.porthole.NoSuchEditor-4242.scope",
    .app_id = "org.porthole.NoSuchEditor",
    .uid = getuid (),
    .user = g_get_user_name (),
    .app_name = "Porthole Test Editor",
    .app_icon = "ph-test-editor-icon",
  };
  g_autoptr(PhAppIdentity) named = ph_app_identity_new_for_process (&facts);
  g_autoptr(PhAppIdentity) bare = NULL;
  g_autoptr(PhAppIdentity) file_icon = NULL;

  assert_identity (named, PH_APP_KIND_DESKTOP_APP, "Porthole Test Editor", "Application");
  g_assert_cmpstr (ph_app_identity_get_icon_name (named), ==, "ph-test-editor-icon");
  g_assert_cmpstr (ph_app_identity_get_key (named), ==, "app:org.porthole.NoSuchEditor");

  facts.manager = "flatpak";
  facts.app_icon = "/run/host/share/icons/hicolor/48x48/apps/editor.png";
  file_icon = ph_app_identity_new_for_process (&facts);
  assert_identity (file_icon, PH_APP_KIND_FLATPAK, "Porthole Test Editor", "Flatpak app");
  g_assert_true (G_IS_FILE_ICON (ph_app_identity_get_icon (file_icon)));

  facts.manager = "app";
  facts.app_name = NULL;
  facts.app_icon = NULL;
  bare = ph_app_identity_new_for_process (&facts);
  assert_identity (bare, PH_APP_KIND_DESKTOP_APP, "org.porthole.NoSuchEditor", "Application");
  g_assert_cmpstr (ph_app_identity_get_icon_name (bare), ==, "org.porthole.NoSuchEditor");
}

/* One order of kinds, defined once: the enum's, which is the list's; the nick is the name
 * JSON uses. */
static void
test_kinds_order (void)
{
  static const char * const nicks[] = {
    "dev-server", "desktop-app", "flatpak", "program", "user-service", "container",
    "system-service", "hidden", "unseen", "kernel",
  };
  g_autoptr(GEnumClass) klass = g_type_class_ref (PH_TYPE_APP_KIND);
  g_autoptr(PhAppIdentity) kernel = ph_app_identity_new_kernel ();
  g_autoptr(PhAppIdentity) hidden = ph_app_identity_new_hidden (117, "zz");
  g_autoptr(PhAppIdentity) unseen = ph_app_identity_new_unseen (PH_UNSEEN_PID_NAMESPACE);
  g_autoptr(PhAppIdentity) program = identify (&(Facts) { "nc|-l|1234", "/", "/usr/bin/nc",
                                                          "nc" });
  g_autoptr(PhAppIdentity) dev = identify (&(Facts) {
    "node|/home/u/src/zzz/node_modules/.bin/vite", "/home/u/src/zzz", "/usr/bin/node", "node" });

  g_assert_cmpuint (klass->n_values, ==, G_N_ELEMENTS (nicks));
  for (guint i = 0; i < G_N_ELEMENTS (nicks); i++)
    {
      g_assert_cmpint (g_enum_get_value_by_nick (klass, nicks[i])->value, ==, (int) i);
      g_assert_cmpstr (ph_app_kind_to_string ((PhAppKind) i), ==, nicks[i]);
    }

  /* the kind comes before the name: a dev server "zzz" before the program "nc" */
  g_assert_cmpint (ph_app_identity_compare (dev, program), <, 0);
  g_assert_cmpint (ph_app_identity_compare (program, hidden), <, 0);
  g_assert_cmpint (ph_app_identity_compare (hidden, unseen), <, 0);
  g_assert_cmpint (ph_app_identity_compare (unseen, kernel), <, 0);
  g_assert_cmpint (ph_app_identity_compare (kernel, dev), >, 0);
  g_assert_cmpint (ph_app_identity_compare (kernel, kernel), ==, 0);
}

/* Equal identities are those that show the same: a new object for the same facts is
 * equal, another name or description is not. */
static void
test_equal (void)
{
  Facts facts = { "node|server.js", "/", "/usr/bin/node", "node" };
  g_autoptr(PhAppIdentity) a = identify (&facts);
  g_autoptr(PhAppIdentity) b = identify (&facts);
  g_autoptr(PhAppIdentity) other_exe = NULL;
  g_autoptr(PhAppIdentity) other_name = NULL;
  g_autoptr(PhAppIdentity) unknown = ph_app_identity_new_unknown ();
  g_autoptr(PhAppIdentity) hidden_a = ph_app_identity_new_hidden (117, "postgres");
  g_autoptr(PhAppIdentity) hidden_b = ph_app_identity_new_hidden (117, "postgres");

  g_assert_true (a != b);
  g_assert_true (ph_app_identity_equal (a, b));
  g_assert_cmpint (ph_app_identity_compare (a, b), ==, 0);
  g_assert_true (ph_app_identity_equal (hidden_a, hidden_b));

  /* the same name and group, another description (the executable) */
  facts.exe = "/opt/node/bin/node";
  other_exe = identify (&facts);
  g_assert_cmpstr (ph_app_identity_get_key (other_exe), ==, ph_app_identity_get_key (a));
  g_assert_false (ph_app_identity_equal (a, other_exe));

  facts.argv = "node|api.js";
  other_name = identify (&facts);
  g_assert_false (ph_app_identity_equal (a, other_name));
  g_assert_cmpint (ph_app_identity_compare (other_name, a), <, 0);   /* api.js, server.js */

  assert_identity (unknown, PH_APP_KIND_PROGRAM, "Unknown program", NULL);
  g_assert_cmpstr (ph_app_identity_get_key (unknown), ==, "unknown");
  g_assert_false (ph_app_identity_equal (unknown, a));
}

/* Every refresh names each new owner; 2,000 of them must not be felt. */
static void
test_speed (void)
{
  Facts kinds[] = {
    { "node|/home/u/src/shop/node_modules/.bin/vite", "/home/u/src/shop", "/usr/bin/node",
      "node" },
    { "python3|manage.py|runserver", "/home/u/src/site", "/usr/bin/python3", "python3" },
    { "nc|-l|1234", "/home/u", "/usr/bin/nc.openbsd", "nc" },
    { "/usr/sbin/sshd|-D", "/", "/usr/sbin/sshd", "sshd", "system-service", "ssh.service" },
    { "node|server.js", "/", "/usr/bin/node", "node" },
  };
  gint64 start = g_get_monotonic_time ();
  double per_call_us;

  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(PhAppIdentity) identity = identify (&kinds[i % G_N_ELEMENTS (kinds)]);

      g_assert_nonnull (ph_app_identity_get_key (identity));
    }
  per_call_us = (g_get_monotonic_time () - start) / 2000.0;
  g_test_message ("identifying one process takes %.1f us (2,000 processes: %.1f ms)",
                  per_call_us, per_call_us * 2000 / 1000);
  g_assert_cmpfloat (per_call_us, <, 1000);
}

/* ---------------------------------------------------------------------------------------
 * The rules as data
 * ------------------------------------------------------------------------------------- */

static void
test_rules_file_parses (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data",
                                                 "dev-servers.ini", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;
  gsize length;
  guint n;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  n = ph_app_identity_check_rules (contents, length, &error);
  g_assert_no_error (error);
  g_test_message ("%u dev-server rules", n);
  g_assert_cmpuint (n, >=, 60);

  /* every group is its own tool: GKeyFile would merge a repeated group silently */
  g_key_file_load_from_data (keyfile, contents, length, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  groups = g_key_file_get_groups (keyfile, NULL);
  g_assert_cmpuint (g_strv_length (groups), ==, n);
  {
    g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
    guint headers = 0;

    for (guint i = 0; lines[i] != NULL; i++)
      headers += lines[i][0] == '[';
    g_assert_cmpuint (headers, ==, n);
  }
}

static void
test_rules_errors (void)
{
  static const struct
  {
    const char *data;
    const char *message;
  } cases[] = {
    { "[a]\nTool=A\nKind=dev-server\nCommand=a;\n", "unknown key" },
    { "[a]\nKind=dev-server\nCommands=a;\n", "Tool is missing" },
    { "[a]\nTool=A\nKind=toaster\nCommands=a;\n", "Kind" },
    { "[a]\nTool=A\nKind=app\nSubcommands=serve;\n", "needs Commands" },
    { "[a]\nTool=A\nKind=app\nCommands=a;;b;\n", "empty entry" },
    { "[a]\nTool=A\nKind=app\nCommands=a b;\n", "space" },
    { "[a]\nTool=A\nKind=app\nCommands=a;\nGeneric=maybe\n", "Generic" },
    { "no group\n", "" },
    { "# only a comment\n", "no rules" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (ph_app_identity_check_rules (cases[i].data, strlen (cases[i].data),
                                                     &error), ==, 0);
      g_assert_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }

  {
    const char *good = "[a]\nTool=A\nKind=app\nPaths=/x y/;\nGeneric=true\n[b]\nTool=B\n"
                       "Kind=notebook\nModules=b;\n";
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (ph_app_identity_check_rules (good, strlen (good), &error), ==, 2);
    g_assert_no_error (error);
  }
}

/* ---------------------------------------------------------------------------------------
 * A real process: this test program re-run as `node …/node_modules/.bin/vite` in a project
 * folder, its facts read from /proc as the helper reads them
 * ------------------------------------------------------------------------------------- */

static char *
read_proc_link (int         pid,
                const char *name)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", pid, name);

  return g_file_read_link (path, NULL);
}

static void
test_live_process (void)
{
  const char *files[] = { "src/shop/package.json", NULL };
  g_autofree char *root = make_tree (files);
  g_autofree char *project = g_build_filename (root, "src", "shop", NULL);
  g_autofree char *script = g_build_filename (project, "node_modules", ".bin", "vite", NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *cmdline_path = NULL;
  g_autofree char *comm_path = NULL;
  g_autofree char *cmdline = NULL;
  g_autofree char *comm = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *exe = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PhAppIdentity) identity = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  gsize length = 0;
  GPid pid;
  int status;
  const char *child_argv[] = { self, "node", script, "--port", "5173", NULL };
  PhProcessFacts facts = { 0 };

  envp = g_environ_setenv (envp, "PH_TEST_IDLE", "1", TRUE);
  g_spawn_async (project, (char **) child_argv, envp,
                 G_SPAWN_FILE_AND_ARGV_ZERO | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                 &error);
  g_assert_no_error (error);

  cmdline_path = g_strdup_printf ("/proc/%d/cmdline", pid);
  comm_path = g_strdup_printf ("/proc/%d/comm", pid);
  g_file_get_contents (cmdline_path, &cmdline, &length, &error);
  g_assert_no_error (error);
  g_file_get_contents (comm_path, &comm, NULL, &error);
  g_assert_no_error (error);
  g_strchomp (comm);
  cwd = read_proc_link (pid, "cwd");
  exe = read_proc_link (pid, "exe");

  for (gsize i = 0; i < length; i += strlen (cmdline + i) + 1)
    g_ptr_array_add (argv, cmdline + i);
  g_ptr_array_add (argv, NULL);

  facts.comm = comm;
  facts.exe = exe;
  facts.cwd = cwd;
  facts.argv = (const char * const *) argv->pdata;
  facts.manager = "session";
  facts.uid = getuid ();
  facts.user = g_get_user_name ();
  identity = ph_app_identity_new_for_process (&facts);

  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);

  g_assert_cmpstr (g_ptr_array_index (argv, 0), ==, "node");
  assert_identity (identity, PH_APP_KIND_DEV_SERVER, "shop", "Vite dev server");
  g_assert_cmpstr (ph_app_identity_get_description (identity), ==, cwd);

  ph_test_remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("PH_TEST_IDLE") != NULL)
    {
      /* the live test's stand-in for a dev server: wait to be stopped */
      g_usleep (30 * G_USEC_PER_SEC);
      return 0;
    }

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/app-identity/dev-server/tools", test_dev_servers);
  g_test_add_func ("/app-identity/dev-server/key", test_dev_server_key);
  g_test_add_func ("/app-identity/dev-server/without-project", test_dev_server_without_project);
  g_test_add_func ("/app-identity/dev-server/project-walk-up", test_project_walk_up);
  g_test_add_func ("/app-identity/service/system", test_system_service);
  g_test_add_func ("/app-identity/service/user", test_user_service);
  g_test_add_func ("/app-identity/app/desktop", test_desktop_apps);
  g_test_add_func ("/app-identity/app/terminals", test_terminals);
  g_test_add_func ("/app-identity/container", test_containers);
  g_test_add_func ("/app-identity/program", test_programs);
  g_test_add_func ("/app-identity/daemon/names", test_daemons);
  g_test_add_func ("/app-identity/daemon/priorities", test_daemon_priorities);
  g_test_add_func ("/app-identity/daemon/file-parses", test_daemons_file_parses);
  g_test_add_func ("/app-identity/daemon/errors", test_daemons_errors);
  g_test_add_func ("/app-identity/kernel-and-hidden", test_kernel_and_hidden);
  g_test_add_func ("/app-identity/unseen", test_unseen);
  g_test_add_func ("/app-identity/app-named-by-helper", test_app_named_by_helper);
  g_test_add_func ("/app-identity/kinds-order", test_kinds_order);
  g_test_add_func ("/app-identity/equal", test_equal);
  g_test_add_func ("/app-identity/speed", test_speed);
  g_test_add_func ("/app-identity/rules/file-parses", test_rules_file_parses);
  g_test_add_func ("/app-identity/rules/errors", test_rules_errors);
  g_test_add_func ("/app-identity/live-process", test_live_process);

  return g_test_run ();
}
