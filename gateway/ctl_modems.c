/*
 * fieldgatectl modems: the serial ports of THIS host (libserialport through
 * modem/transport.h), with their USB identity and the device spec to put in
 * the daemon's config. "usb-serial:<serial>" survives re-enumeration
 * (ttyUSB2 becoming ttyUSB5 after a replug), so it is preferred whenever
 * the port has a USB serial number. No database involved.
 */
#include <string.h>

#include "gateway/ctl.h"
#include "modem/transport.h"

void ctl_modems_usage(FILE *f)
{
	fprintf(f, "usage: fieldgatectl modems [--json]\n"
		   "\n"
		   "Lists the serial ports found on this host (not on the "
		   "daemon's, unless\n"
		   "it is the same host): device, USB vendor:product ids, "
		   "manufacturer,\n"
		   "product, serial number, and the `device` value for "
		   "fieldgated's config.\n"
		   "A multi-port modem shows one line per port (usually the AT "
		   "port is the\n"
		   "second or third). Exits 0 also when there is none.\n");
}

/*
 * The spec for the config. With several ports sharing one USB serial (a
 * multi-interface modem), usb-serial: would be ambiguous: use the path.
 */
static void device_spec(const struct transport_port *v, size_t n, size_t i,
		char *buf, size_t size)
{
	size_t k, same = 0;

	if (v[i].serial && v[i].serial[0]) {
		for (k = 0; k < n; k++)
			if (v[k].serial && !strcmp(v[k].serial, v[i].serial))
				same++;
		if (same == 1) {
			snprintf(buf, size, "usb-serial:%s", v[i].serial);
			return;
		}
	}
	snprintf(buf, size, "%s", v[i].name);
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

int ctl_modems_run(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl modems";
	struct transport_port *v = NULL;
	char spec[300], ids[16];
	bool json = false;
	size_t i, n;
	int k, r;

	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--json")) {
			json = true;
		} else if (!strcmp(argv[k], "--help")) {
			ctl_modems_usage(stdout);
			return CTL_EXIT_OK;
		} else {
			fprintf(stderr, "%s: unexpected argument '%s'\n", prog,
					argv[k]);
			return CTL_EXIT_USAGE;
		}
	}
	r = transport_list_ports(&v);
	if (r < 0) {
		fprintf(stderr, "%s: cannot list serial ports: %s\n", prog,
				strerror(-r));
		return CTL_EXIT_FAIL;
	}
	n = (size_t) r;
	if (json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_array(&j, NULL);
		for (i = 0; i < n; i++) {
			json_begin_object(&j, NULL);
			json_string(&j, "device", v[i].name);
			json_string(&j, "description", v[i].description);
			if (v[i].usb_vid >= 0) {
				json_int(&j, "usb_vid", v[i].usb_vid);
				json_int(&j, "usb_pid", v[i].usb_pid);
			} else {
				json_null(&j, "usb_vid");
				json_null(&j, "usb_pid");
			}
			json_string(&j, "manufacturer", v[i].manufacturer);
			json_string(&j, "product", v[i].product);
			json_string(&j, "serial", v[i].serial);
			device_spec(v, n, i, spec, sizeof(spec));
			json_string(&j, "config_device", spec);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_finish(&j);
	} else if (n == 0) {
		printf("no serial ports found on this host\n");
	} else {
		printf("%-20s %-9s %-20s %-24s %-20s %s\n", "DEVICE", "USB ID",
				"MANUFACTURER", "PRODUCT", "SERIAL",
				"CONFIG DEVICE");
		for (i = 0; i < n; i++) {
			if (v[i].usb_vid >= 0)
				snprintf(ids, sizeof(ids), "%04x:%04x",
						(unsigned) v[i].usb_vid &
								0xffff,
						(unsigned) v[i].usb_pid &
								0xffff);
			else
				snprintf(ids, sizeof(ids), "-");
			device_spec(v, n, i, spec, sizeof(spec));
			printf("%-20s %-9s %-20s %-24s %-20s %s\n", v[i].name,
					ids, or_dash(v[i].manufacturer),
					or_dash(v[i].product),
					or_dash(v[i].serial), spec);
		}
	}
	transport_ports_free(v, n);
	return CTL_EXIT_OK;
}
