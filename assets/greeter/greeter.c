/*
 * The sample image's program: print /greeting.txt and exit 0, or say on stderr why not and exit 1.
 *
 * learn-registry's course builds `my-app:latest` offline (`FROM scratch`), so the image cannot carry a
 * shell or a libc: this is a static program with no C library at all, a few KB, for amd64 and arm64
 * (scripts/build-greeter.sh builds both; the binaries are committed beside this file and embedded in
 * learn-registry). The greeting itself is a file the lesson's setup writes, so the program never
 * changes when the text does.
 */

#define AT_FDCWD (-100)
#define O_RDONLY 0

#if defined(__x86_64__)
#define SYS_read 0
#define SYS_write 1
#define SYS_openat 257
#define SYS_exit_group 231

static long sys3(long n, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static long sys4(long n, long a, long b, long c, long d)
{
	long ret;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define SYS_openat 56
#define SYS_read 63
#define SYS_write 64
#define SYS_exit_group 94

static long sys4(long n, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
}

static long sys3(long n, long a, long b, long c)
{
	return sys4(n, a, b, c, 0);
}
#else
#error "greeter is built for x86_64 and aarch64 only"
#endif

static void write_all(int fd, const char *buf, long len)
{
	while (len > 0) {
		long n = sys3(SYS_write, fd, (long)buf, len);
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

static __attribute__((noreturn)) void leave(int code)
{
	for (;;)
		sys3(SYS_exit_group, code, 0, 0);
}

static void fail(const char *why, long len)
{
	write_all(2, why, len);
	leave(1);
}

#define FAIL(text) fail(text, sizeof(text) - 1)

/* The kernel enters _start with the stack 16-byte aligned and no return address, not as a call. */
#if defined(__x86_64__)
__attribute__((force_align_arg_pointer))
#endif
void _start(void)
{
	static char buf[4096];
	long fd = sys4(SYS_openat, AT_FDCWD, (long)"/greeting.txt", O_RDONLY, 0);
	if (fd < 0)
		FAIL("greeter: cannot open /greeting.txt\n");
	for (;;) {
		long n = sys3(SYS_read, fd, (long)buf, sizeof buf);
		if (n < 0)
			FAIL("greeter: cannot read /greeting.txt\n");
		if (n == 0)
			break;
		write_all(1, buf, n);
	}
	leave(0);
}
