/*
 * permission.c - what to tell someone the OS would not let open a device
 * node: who owns it, and the one thing that would let them in. "Join the
 * node's group" is only right when a group may open it, the user is not
 * in it yet, and the user is not already in it but in an older login.
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fail.h"

/* Is this process in group gid (effective or supplementary)? */
static int process_in(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups(sizeof(groups) / sizeof(groups[0]), groups);

	if (getegid() == gid)
		return 1;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/* Does the group database put this user in g (as primary or member)? */
static int user_in(const struct group *g)
{
	const struct passwd *pw = getpwuid(getuid());

	if (!pw)
		return 0;
	if (pw->pw_gid == g->gr_gid)
		return 1;
	for (char **m = g->gr_mem; m && *m; m++)
		if (!strcmp(*m, pw->pw_name))
			return 1;
	return 0;
}

int hs_fail_permission(const char *node, const char *udev_match, const char *group)
{
	struct stat st;
	const struct passwd *owner;
	const struct group *g;
	char who[160], gname[64];

	if (stat(node, &st) != 0)
		/* who owns it cannot be seen: what helps for most devices */
		return hs_fail(HS_ERR_PERMISSION,
			       "permission denied opening %s: give it a group with a udev rule in /etc/udev/rules.d/ "
			       "(%s, GROUP=\"%s\", MODE=\"0660\"), add your user to %s and log in again, or run as root",
			       node, udev_match, group, group);
	owner = getpwuid(st.st_uid);
	g = getgrgid(st.st_gid);
	if (g)
		snprintf(gname, sizeof(gname), "%s", g->gr_name);
	else
		snprintf(gname, sizeof(gname), "%u", (unsigned)st.st_gid);
	snprintf(who, sizeof(who), "permission denied opening %s (owner %s, group %s, mode %04o)",
		 node, owner ? owner->pw_name : "?", gname, (unsigned)st.st_mode & 07777);
	if (st.st_gid == 0)
		return hs_fail(HS_ERR_PERMISSION,
			       "%s: no group may open it; give it one with a udev rule in /etc/udev/rules.d/ "
			       "(%s, GROUP=\"%s\", MODE=\"0660\"), add your user to %s and log in again, or run as root",
			       who, udev_match, group, group);
	if ((st.st_mode & 060) != 060)
		return hs_fail(HS_ERR_PERMISSION,
			       "%s: its mode lets no group read and write it; change it with a udev rule in /etc/udev/rules.d/ "
			       "(%s, GROUP=\"%s\", MODE=\"0660\"), or run as root",
			       who, udev_match, gname);
	if (process_in(st.st_gid))
		return hs_fail(HS_ERR_PERMISSION,
			       "%s: you are in group %s, so something else refuses it: an ACL, SELinux or AppArmor?",
			       who, gname);
	if (g && user_in(g))
		return hs_fail(HS_ERR_PERMISSION,
			       "%s: you are in group %s, but this login is not yet: log out and in again (or run 'newgrp %s')",
			       who, gname, gname);
	return hs_fail(HS_ERR_PERMISSION,
		       "%s: add your user to group %s (usermod -aG %s USER, then log in again), or run as root",
		       who, gname, gname);
}
