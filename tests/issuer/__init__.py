"""Tests of the issuer package."""
