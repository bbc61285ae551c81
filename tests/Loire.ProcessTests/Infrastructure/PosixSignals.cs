using System.Runtime.InteropServices;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>Sends POSIX signals; .NET only offers SIGKILL (Process.Kill).</summary>
public static partial class PosixSignals
{
    private const int SigTerm = 15;

    public static void Terminate(int pid)
    {
        if (kill(pid, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
