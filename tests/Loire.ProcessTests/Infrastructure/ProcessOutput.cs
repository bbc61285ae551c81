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

    public void Mark(string note)
    {
        lock (_lock)
        {
            _text.Append("---- ").Append(DateTime.Now.ToString("HH:mm:ss.fff")).Append(' ').AppendLine(note);
        }
    }
}
