using System.Runtime.InteropServices;

namespace StreamingApi.Bench;

/// <summary>
/// The open-file limit, raised as bench/run.sh raises it (<c>ulimit -n $(ulimit -Hn)</c>), and further where the
/// hard limit is too low for the largest step and the bench may raise it: thousands of held streams need a descriptor
/// each, in this process (the clients) and in each server, which inherits this process's limit.
/// </summary>
public static class FileLimits
{
    private const int RlimitNoFile = 7; // RLIMIT_NOFILE on Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct Limit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", EntryPoint = "getrlimit")]
    private static extern int GetLimit(int resource, out Limit limit);

    [DllImport("libc", EntryPoint = "setrlimit")]
    private static extern int SetLimit(int resource, in Limit limit);

    /// <summary>The open-file limit this process (and each server it starts) has now; <see cref="long.MaxValue"/> where unknown.</summary>
    public static long Current =>
        OperatingSystem.IsLinux() && GetLimit(RlimitNoFile, out var limit) == 0 ? (long)Math.Min(limit.Current, long.MaxValue) : long.MaxValue;

    /// <summary>
    /// Raises the soft limit to the hard one, and both to <paramref name="needed"/> where the hard one is lower and the
    /// bench may raise it (as root); says what the limit is, and whether <paramref name="needed"/> fits.
    /// </summary>
    public static string Raise(int needed)
    {
        if (!OperatingSystem.IsLinux() || GetLimit(RlimitNoFile, out var limit) != 0) return "open-file limit: unknown";
        if (limit.Maximum < (ulong)needed && SetLimit(RlimitNoFile, new Limit { Current = (ulong)needed, Maximum = (ulong)needed }) == 0)
            limit = new Limit { Current = (ulong)needed, Maximum = (ulong)needed };
        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (SetLimit(RlimitNoFile, raised) == 0) limit = raised;
        }
        return limit.Current >= (ulong)needed
            ? $"open-file limit {limit.Current:N0} (≥ {needed:N0} needed)"
            : $"open-file limit {limit.Current:N0}, fewer than the {needed:N0} needed: the steps that need more are left out (raise the hard limit, ulimit -Hn, to run them)";
    }
}
