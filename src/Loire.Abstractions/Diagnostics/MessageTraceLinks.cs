using System.Diagnostics;

namespace Loire.Diagnostics;

/// <summary>
/// How a span about a batch of messages relates to the messages' trace contexts, following the OpenTelemetry
/// messaging conventions: when every message carries the same context the span is its child; otherwise it links to
/// each distinct context and keeps the ambient parent. Built only while someone listens.
/// </summary>
internal sealed class MessageTraceLinks
{
    /// <summary>Most links one span gets: the OpenTelemetry SDK's default span link limit, so nothing built is dropped.</summary>
    public const int MaxLinks = 128;

    private HashSet<ActivityContext>? _seen;
    private List<ActivityLink>? _links;
    private ActivityContext _first;
    private bool _allShareFirst = true;
    private int _count;

    /// <summary>Adds one message's context (none when its properties carry no valid traceparent).</summary>
    public void Add(IReadOnlyDictionary<string, object>? properties)
    {
        var has = MessageTraceContext.TryGet(properties, out var context);
        if (_count++ == 0)
        {
            _first = context;
            _allShareFirst = has;
        }
        else if (_allShareFirst && context != _first)
        {
            _allShareFirst = false;
        }

        if (has && (_seen ??= []).Count < MaxLinks && _seen.Add(context))
        {
            (_links ??= []).Add(new ActivityLink(context));
        }
    }

    /// <summary>The parent for the span: the one context every message shares, else default (the ambient activity).</summary>
    public ActivityContext Parent => _allShareFirst && _count > 0 ? _first : default;

    /// <summary>Links to the messages' distinct contexts when they do not share one; null when there is nothing to link.</summary>
    public IEnumerable<ActivityLink>? Links => _allShareFirst ? null : _links;

    /// <summary>Links to every distinct context, shared or not (a receive links to what it received); null when there is none.</summary>
    public IEnumerable<ActivityLink>? AllLinks => _links;
}
