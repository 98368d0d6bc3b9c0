/*
 * transport_serial.c - libserialport backend for real devices, and port
 * listing. The only file of the project that includes libserialport.h.
 *
 * libserialport opens and configures the port (8N1, baud, RTS/CTS); reads and
 * writes then go through the fd from sp_get_port_handle(), which the caller
 * polls, so both backends share the same I/O code in transport.c.
 */
#include "config.h"

#include "modem/transport.h"
#include "modem/transport_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SP_ERR_* to -errno; SP_ERR_FAIL carries the OS error. */
static int sp_to_errno(enum sp_return r)
{
	int e;

	switch (r) {
	case SP_ERR_ARG:
		return -EINVAL;
	case SP_ERR_MEM:
		return -ENOMEM;
	case SP_ERR_SUPP:
		return -ENOTSUP;
	case SP_ERR_FAIL:
		e = sp_last_error_code();
		return e > 0 ? -e : -EIO;
	default:
		return r < 0 ? -EIO : 0;
	}
}

static void say(char *reason, const char *what, const char *path, int err)
{
	if (reason)
		snprintf(reason, TRANSPORT_REASON_MAX, "%s %s: %s", what, path,
				strerror(-err));
}

int transport_serial_open(const char *path, int baud, bool rtscts,
		void **ret_handle, char *reason)
{
	struct sp_port *port;
	enum sp_return sr;
	int fd, flags, r;

	sr = sp_get_port_by_name(path, &port);
	if (sr != SP_OK) {
		r = sp_to_errno(sr);
		if (r == -EINVAL)
			r = -ENOENT; /* 0.1.1 says ARG for a missing port */
		say(reason, "no serial port", path, r);
		return r;
	}
	sr = sp_open(port, SP_MODE_READ_WRITE);
	if (sr != SP_OK) {
		r = sp_to_errno(sr);
		say(reason, "cannot open", path, r);
		goto out_free;
	}
	/* 8N1, as every GSM modem expects. */
	sr = sp_set_baudrate(port, baud);
	if (sr == SP_OK)
		sr = sp_set_bits(port, 8);
	if (sr == SP_OK)
		sr = sp_set_parity(port, SP_PARITY_NONE);
	if (sr == SP_OK)
		sr = sp_set_stopbits(port, 1);
	if (sr == SP_OK)
		sr = sp_set_flowcontrol(port, rtscts ? SP_FLOWCONTROL_RTSCTS
						     : SP_FLOWCONTROL_NONE);
	if (sr != SP_OK) {
		r = sp_to_errno(sr);
		say(reason, "cannot configure", path, r);
		goto out_close;
	}
	sr = sp_get_port_handle(port, &fd);
	if (sr != SP_OK) {
		r = sp_to_errno(sr);
		say(reason, "no handle for", path, r);
		goto out_close;
	}
	/* The caller polls the fd: it must never block. */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
			fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		r = -errno;
		say(reason, "cannot make non-blocking", path, r);
		goto out_close;
	}
	*ret_handle = port;
	return fd;

out_close:
	sp_close(port);
out_free:
	sp_free_port(port);
	return r;
}

void transport_serial_close(void *handle)
{
	struct sp_port *port = handle;

	if (!port)
		return;
	sp_close(port);
	sp_free_port(port);
}

int transport_serial_find_usb(const char *serial, char **ret_path)
{
	struct sp_port **list;
	enum sp_return sr;
	int r = -ENOENT;
	size_t i;

	sr = sp_list_ports(&list);
	if (sr != SP_OK)
		return sp_to_errno(sr) < 0 ? sp_to_errno(sr) : -EIO;
	for (i = 0; list[i]; i++) {
		const char *s;

		if (sp_get_port_transport(list[i]) != SP_TRANSPORT_USB)
			continue;
		s = sp_get_port_usb_serial(list[i]);
		if (!s || strcmp(s, serial) != 0)
			continue;
		*ret_path = strdup(sp_get_port_name(list[i]));
		r = *ret_path ? 0 : -ENOMEM;
		break;
	}
	sp_free_port_list(list);
	return r;
}

/* strdup of a possibly NULL libserialport string; "" stands for NULL. */
static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

void transport_ports_free(struct transport_port *ports, size_t count)
{
	size_t i;

	if (!ports)
		return;
	for (i = 0; i < count; i++) {
		free(ports[i].name);
		free(ports[i].description);
		free(ports[i].manufacturer);
		free(ports[i].product);
		free(ports[i].serial);
	}
	free(ports);
}

int transport_list_ports(struct transport_port **ret_ports)
{
	struct transport_port *ports = NULL;
	struct sp_port **list;
	enum sp_return sr;
	size_t n = 0, i;
	int r;

	sr = sp_list_ports(&list);
	if (sr != SP_OK)
		return sp_to_errno(sr) < 0 ? sp_to_errno(sr) : -EIO;
	while (list[n])
		n++;
	if (n > 0) {
		ports = calloc(n, sizeof(*ports));
		if (!ports) {
			r = -ENOMEM;
			goto out_list;
		}
	}
	for (i = 0; i < n; i++) {
		struct transport_port *p = &ports[i];
		int vid = -1, pid = -1;
		bool usb;

		usb = sp_get_port_transport(list[i]) == SP_TRANSPORT_USB;
		if (usb && sp_get_port_usb_vid_pid(list[i], &vid, &pid) !=
						SP_OK)
			vid = pid = -1;
		p->usb_vid = vid;
		p->usb_pid = pid;
		p->name = dup_or_empty(sp_get_port_name(list[i]));
		p->description = dup_or_empty(sp_get_port_description(list[i]));
		p->manufacturer = dup_or_empty(
				usb ? sp_get_port_usb_manufacturer(list[i])
				    : NULL);
		p->product = dup_or_empty(
				usb ? sp_get_port_usb_product(list[i]) : NULL);
		p->serial = dup_or_empty(
				usb ? sp_get_port_usb_serial(list[i]) : NULL);
		if (!p->name || !p->description || !p->manufacturer ||
				!p->product || !p->serial) {
			transport_ports_free(ports, i + 1);
			r = -ENOMEM;
			goto out_list;
		}
	}
	sp_free_port_list(list);
	*ret_ports = ports;
	return (int) n;

out_list:
	sp_free_port_list(list);
	return r;
}
