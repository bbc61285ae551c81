namespace Loire.Filters.Sql;

/// <summary>The lexical categories of the filter language.</summary>
internal enum TokenKind
{
    End,
    Identifier,
    String,
    Integer,
    Decimal,

    And,
    Or,
    Not,
    In,
    Like,
    Escape,
    Is,
    Null,
    True,
    False,
    Exists,

    LeftParen,
    RightParen,
    Comma,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
}
