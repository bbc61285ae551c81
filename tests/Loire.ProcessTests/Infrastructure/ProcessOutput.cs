using System.Diagnostics;
using System.Text;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>Everything a child process wrote, line by line, and a way to wait for a line.</summary>
public sealed class ProcessOutput
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();
    private readonly List<(string Prefix, TaskCompletionSource<string> Found)> _waiters = [];

    public void Add(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _text.Append(stream).Append(": ").AppendLine(line);
            foreach (var waiter in _waiters.Where(w => line.StartsWith(w.Prefix, StringComparison.Ordinal)).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>A task that completes with the first line, from now on, that starts with <paramref name="prefix"/>.</summary>
    public Task<string> WhenLineStartsWith(string prefix)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _waiters.Add((prefix, found));
        }

        return found.Task;
    }

    public string Text
    {
        get
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="process"/> (its output already wired to this), waits for it to exit and returns its exit
    /// code; kills it and throws a <see cref="TimeoutException"/> carrying the output after <paramref name="timeout"/>.
    /// </summary>
    public async Task<int> RunToExitAsync(Process process, TimeSpan timeout, string name)
    {
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The {name} did not exit within {timeout.TotalSeconds:0} s.{Environment.NewLine}{Text}");
        }

        return process.ExitCode;
    }

    public void Mark(string note)
    {
        lock (_lock)
        {
            _text.Append("---- ").Append(DateTime.Now.ToString("HH:mm:ss.fff")).Append(' ').AppendLine(note);
        }
    }
}
