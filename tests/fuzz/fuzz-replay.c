/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-replay.c: runs a fuzz target's corpus (files or folders) through it once, as a test
 * (TAP), in builds without libFuzzer: every seed and every crash found stays a test */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "ph-fuzz.h"

__attribute__ ((weak)) int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
collect (const char *path,
         GPtrArray  *files)
{
  struct stat st;
  DIR *dir;
  struct dirent *e;

  if (stat (path, &st) < 0)
    {
      printf ("Bail out! cannot read %s\n", path);
      exit (1);
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  dir = opendir (path);
  if (dir == NULL)
    {
      printf ("Bail out! cannot open %s\n", path);
      exit (1);
    }
  while ((e = readdir (dir)) != NULL)
    {
      if (e->d_name[0] == '.')
        continue;
      g_ptr_array_add (files, g_build_filename (path, e->d_name, NULL));
    }
  closedir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    collect (argv[i], files);
  if (files->len == 0)
    {
      printf ("Bail out! no corpus given\n");
      return 1;
    }
  qsort (files->pdata, files->len, sizeof (char *), compare_names);

  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      gsize len;

      if (!g_file_get_contents (path, &contents, &len, NULL))
        {
          printf ("not ok %u - %s (unreadable)\n", i + 1, path);
          continue;
        }
      /* A crash ends the program here, and the test fails naming this input. */
      printf ("# %s\n", path);
      fflush (stdout);
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
      printf ("ok %u - %s\n", i + 1, path);
    }
  return 0;
}
