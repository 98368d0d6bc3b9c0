/*
 * check_transport.c - the serial transport against a real pseudo-terminal:
 * the tty backend, raw mode, non-blocking reads, "device gone", spec errors.
 */
#include "config.h"

#include "modem/transport.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A pty master, non-blocking, and the slave's path. */
static int open_master(char *slave, size_t size)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(grantpt(fd), 0);
	ck_assert_int_eq(unlockpt(fd), 0);
	ck_assert_int_eq(ptsname_r(fd, slave, size), 0);
	return fd;
}

/* Wait (bounded) until fd is readable. */
static void wait_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	ck_assert_int_eq(poll(&p, 1, 5000), 1);
}

/* Read exactly len bytes from the master within a deadline. */
static void master_expect(int fd, const char *want, size_t len)
{
	char buf[256];
	size_t got = 0;

	ck_assert_uint_le(len, sizeof(buf));
	while (got < len) {
		ssize_t n;

		wait_readable(fd);
		n = read(fd, buf + got, len - got);
		ck_assert_int_gt(n, 0);
		got += (size_t) n;
	}
	ck_assert_mem_eq(buf, want, len);
}

/* Read exactly len bytes from the transport within a deadline. */
static void tp_expect(struct transport *tp, const char *want, size_t len)
{
	char buf[256];
	size_t got = 0;

	while (got < len) {
		ssize_t n;

		wait_readable(transport_fd(tp));
		n = transport_read(tp, buf + got, len - got);
		ck_assert_int_gt(n, 0);
		got += (size_t) n;
	}
	ck_assert_mem_eq(buf, want, len);
}

START_TEST(test_pty_roundtrip)
{
	/* CR, LF, CR LF, Ctrl-Z, ESC, NUL and 0xFF must pass untouched. */
	static const char down[] = "AT+CMGS=23\r\n\r\r\n\x1a\x1b\0\xff";
	static const char up[] = "\r\nOK\r\n> \n\0\x7f\x03\x1a";
	char slave[64], spec[80], reason[TRANSPORT_REASON_MAX] = "";
	struct transport *tp = NULL;
	int m, fd;

	m = open_master(slave, sizeof(slave));
	snprintf(spec, sizeof(spec), "tty:%s", slave);
	fd = transport_open(spec, 115200, false, &tp, reason);
	ck_assert_msg(fd >= 0, "open %s: %d %s", spec, fd, reason);
	ck_assert_ptr_nonnull(tp);
	ck_assert_int_eq(fd, transport_fd(tp));
	ck_assert_str_eq(transport_backend(tp), "tty");
	ck_assert_str_eq(transport_path(tp), slave);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);

	ck_assert_int_eq(transport_write(tp, down, sizeof(down) - 1),
			(ssize_t) sizeof(down) - 1);
	master_expect(m, down, sizeof(down) - 1);
	ck_assert_int_eq(
			write(m, up, sizeof(up) - 1), (ssize_t) sizeof(up) - 1);
	tp_expect(tp, up, sizeof(up) - 1);

	transport_close(tp);
	close(m);
}
END_TEST

START_TEST(test_auto_spec_pty_is_tty)
{
	char slave[64];
	struct transport *tp = NULL;
	int m, fd;

	m = open_master(slave, sizeof(slave));
	fd = transport_open(slave, 9600, false, &tp, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(transport_backend(tp), "tty");
	transport_close(tp);
	close(m);
}
END_TEST

START_TEST(test_spec_options)
{
	/* Options after '?' override the arguments; the path is still the
	 * device. A pty accepts any speed and RTS/CTS. */
	char slave[64], spec[128], reason[TRANSPORT_REASON_MAX] = "";
	struct transport *tp = NULL;
	int m, fd;

	m = open_master(slave, sizeof(slave));
	snprintf(spec, sizeof(spec), "tty:%s?baud=9600&flow=rtscts", slave);
	fd = transport_open(spec, 12345 /* invalid, overridden */, false, &tp,
			reason);
	ck_assert_msg(fd >= 0, "%s: %s", spec, reason);
	ck_assert_str_eq(transport_path(tp), slave);
	ck_assert_int_eq(transport_write(tp, "AT\r", 3), 3);
	master_expect(m, "AT\r", 3);
	transport_close(tp);
	snprintf(spec, sizeof(spec), "%s?flow=none", slave);
	ck_assert_int_ge(transport_open(spec, 115200, true, &tp, reason), 0);
	transport_close(tp);
	close(m);
}
END_TEST

START_TEST(test_nonblocking_read)
{
	char slave[64], spec[80], buf[16];
	struct transport *tp = NULL;
	int m;

	m = open_master(slave, sizeof(slave));
	snprintf(spec, sizeof(spec), "tty:%s", slave);
	ck_assert_int_ge(transport_open(spec, 115200, false, &tp, NULL), 0);
	ck_assert_int_eq(transport_read(tp, buf, sizeof(buf)), -EAGAIN);
	ck_assert_int_eq(transport_read(tp, buf, 0), -EINVAL);
	transport_close(tp);
	close(m);
}
END_TEST

START_TEST(test_master_closed_is_gone)
{
	char slave[64], spec[80], buf[16];
	struct transport *tp = NULL;
	struct pollfd p;
	int m;

	m = open_master(slave, sizeof(slave));
	snprintf(spec, sizeof(spec), "tty:%s", slave);
	ck_assert_int_ge(transport_open(spec, 115200, false, &tp, NULL), 0);
	close(m);
	/* The poll loop is woken (HUP), then the read says "gone". */
	p = (struct pollfd){.fd = transport_fd(tp), .events = POLLIN};
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert(p.revents & (POLLHUP | POLLERR | POLLIN));
	ck_assert_int_eq(transport_read(tp, buf, sizeof(buf)), -ECONNRESET);
	ck_assert_int_eq(transport_write(tp, "AT\r", 3), -ECONNRESET);
	transport_close(tp);
}
END_TEST

static const struct {
	const char *spec;
	int baud;
	int err;
} bad_specs[] = {
		{"", 115200, -EINVAL},
		{"ttyUSB0", 115200, -EINVAL},
		{"tty:", 115200, -EINVAL},
		{"tty:relative/path", 115200, -EINVAL},
		{"serial:", 115200, -EINVAL},
		{"usb-serial:", 115200, -EINVAL},
		{"bogus:/dev/ttyUSB0", 115200, -EINVAL},
		{"tty:/dev/ptmx?baud=fast", 115200, -EINVAL},
		{"tty:/dev/ptmx?baud=0", 115200, -EINVAL},
		{"tty:/dev/ptmx?flow=xonxoff", 115200, -EINVAL},
		{"tty:/dev/ptmx?parity=even", 115200, -EINVAL},
		{"tty:/dev/ptmx", 0, -EINVAL},
		{"tty:/dev/ptmx", -9600, -EINVAL},
		{"tty:/dev/ptmx", 12345, -EINVAL},
		{"tty:/nonexistent/fieldgate-modem", 115200, -ENOENT},
		{"tty:/dev/null", 115200, -ENOTTY},
		{"usb-serial:FIELDGATE-NO-SUCH-SERIAL-0", 115200, -ENOENT},
};

START_TEST(test_bad_spec)
{
	char reason[TRANSPORT_REASON_MAX] = "";
	struct transport *tp = NULL;
	int r;

	r = transport_open(bad_specs[_i].spec, bad_specs[_i].baud, false, &tp,
			reason);
	ck_assert_msg(r == bad_specs[_i].err, "'%s': got %d (%s), want %d",
			bad_specs[_i].spec, r, reason, bad_specs[_i].err);
	ck_assert_ptr_null(tp);
	ck_assert_msg(reason[0] != '\0', "'%s': no reason", bad_specs[_i].spec);
}
END_TEST

START_TEST(test_serial_backend_refuses_pty)
{
	/* Documented libserialport 0.1.1 limitation: the reason for tty:. */
	char slave[64], spec[80], reason[TRANSPORT_REASON_MAX] = "";
	struct transport *tp = NULL;
	int m, r;

	m = open_master(slave, sizeof(slave));
	snprintf(spec, sizeof(spec), "serial:%s", slave);
	r = transport_open(spec, 115200, false, &tp, reason);
	if (r >= 0) {
		/* A newer libserialport may manage; then it must work. */
		ck_assert_str_eq(transport_backend(tp), "serial");
		transport_close(tp);
	} else {
		ck_assert_ptr_null(tp);
		ck_assert(reason[0] != '\0');
	}
	close(m);
}
END_TEST

START_TEST(test_list_ports)
{
	struct transport_port *ports = NULL;
	int n, i;

	n = transport_list_ports(&ports);
	ck_assert_int_ge(n, 0);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(ports[i].name);
		ck_assert(ports[i].name[0] != '\0');
		ck_assert_ptr_nonnull(ports[i].serial);
		ck_assert((ports[i].usb_vid < 0) == (ports[i].usb_pid < 0));
	}
	transport_ports_free(ports, (size_t) n);
	transport_ports_free(NULL, 0);
	transport_close(NULL);
}
END_TEST

static Suite *transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *tc;

	tc = tcase_create("pty");
	tcase_add_test(tc, test_pty_roundtrip);
	tcase_add_test(tc, test_auto_spec_pty_is_tty);
	tcase_add_test(tc, test_nonblocking_read);
	tcase_add_test(tc, test_spec_options);
	tcase_add_test(tc, test_master_closed_is_gone);
	tcase_add_test(tc, test_serial_backend_refuses_pty);
	suite_add_tcase(s, tc);

	tc = tcase_create("spec");
	tcase_add_loop_test(tc, test_bad_spec, 0,
			sizeof(bad_specs) / sizeof(bad_specs[0]));
	tcase_add_test(tc, test_list_ports);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(transport_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
