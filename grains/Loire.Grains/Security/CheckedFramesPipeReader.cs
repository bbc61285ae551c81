using System.Buffers;
using System.IO.Pipelines;

namespace Loire.Grains.Security;

/// <summary>
/// A client connection's input as Orleans reads it, cut off where the frames <see cref="ClientFrameCheck"/> has not
/// passed yet begin: a forged frame never reaches Orleans, the reader throws instead and Orleans closes the
/// connection. The bytes are the transport's own (no copy); only the visible length is held back.
/// </summary>
internal sealed class CheckedFramesPipeReader(PipeReader inner, ClientFrameCheck check) : PipeReader
{
    /// <summary>The transport's buffer last read, and what of it Orleans was shown.</summary>
    private ReadOnlySequence<byte> _buffer;
    private SequencePosition _shownEnd;

    /// <summary>How many bytes from the start of <see cref="_buffer"/> belong to checked frames (may run past its end: a body still arriving).</summary>
    private long _checked;

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (TryShow(result, out var shown))
            {
                return shown;
            }

            // Only part of a header so far: all of it was looked at, so wait for more bytes.
            inner.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        if (inner.TryRead(out var read))
        {
            if (TryShow(read, out result))
            {
                return true;
            }

            inner.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        result = default;
        return false;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _checked -= _buffer.Slice(0, consumed).Length;

        // Orleans looked at all it was shown; the rest (an unchecked header) was looked at here.
        inner.AdvanceTo(consumed, examined.Equals(_shownEnd) ? _buffer.End : examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    private bool TryShow(ReadResult read, out ReadResult shown)
    {
        var buffer = read.Buffer;
        while (_checked < buffer.Length && check.Check(buffer.Slice(_checked)) is var frame and > 0)
        {
            _checked += frame;
        }

        var visible = buffer.Slice(0, Math.Min(_checked, buffer.Length));
        _buffer = buffer;
        _shownEnd = visible.End;
        shown = new ReadResult(visible, read.IsCanceled, read.IsCompleted);
        return visible.Length > 0 || read.IsCanceled || read.IsCompleted;
    }
}
