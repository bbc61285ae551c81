using Xunit.Abstractions;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>Writes a child process's output to the test's log, which may already be closed when a fixture is disposed late.</summary>
public static class TestLog
{
    public static void Write(ITestOutputHelper? log, string header, string output)
    {
        if (log is null)
        {
            return;
        }

        try
        {
            log.WriteLine(header);
            log.WriteLine(output);
        }
        catch (InvalidOperationException)
        {
            // The test has already finished; its log is closed.
        }
    }
}
